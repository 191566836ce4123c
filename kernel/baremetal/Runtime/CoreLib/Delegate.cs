namespace System;

public abstract class Delegate
{
}

public abstract class MulticastDelegate : Delegate
{
}
