namespace Micro.Core.Tests.Support;

/// <summary>The hosted-style core lock, for tests that enter the core from several threads.</summary>
public sealed class TestLock : CoreLock
{
    private readonly Lock gate = new();

    public int Depth { get; private set; }

    public override void Enter()
    {
        gate.Enter();
        Depth++;
        Assert.Equal(1, Depth);
    }

    public override void Exit()
    {
        Depth--;
        gate.Exit();
    }
}
