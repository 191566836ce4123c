namespace Micro.Toolstack.Config;

/// <summary>One <c>KEY = VALUE</c> (after any <c>+=</c> merges) with where its key was written.</summary>
public sealed record XlSetting(string Key, ConfigPosition Position, XlValue Value);
