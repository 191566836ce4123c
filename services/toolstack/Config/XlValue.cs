namespace Micro.Toolstack.Config;

/// <summary>
/// One value of an xl.cfg setting: a string (either quote style), a number (kept as written, like
/// libxlu does, so a key decides how to read it), or a flat list of those.
/// </summary>
public abstract record XlValue(ConfigPosition Position);

public sealed record XlString(ConfigPosition Position, string Text) : XlValue(Position);

public sealed record XlNumber(ConfigPosition Position, string Text) : XlValue(Position);

public sealed record XlList(ConfigPosition Position, IReadOnlyList<XlValue> Items) : XlValue(Position);
