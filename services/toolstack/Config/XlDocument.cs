namespace Micro.Toolstack.Config;

/// <summary>The settings of an xl.cfg file in the order their keys first appear, after every <c>+=</c>.</summary>
public sealed class XlDocument
{
    private List<XlSetting> _settings = [];

    public IReadOnlyList<XlSetting> Settings => _settings;

    public XlSetting? Find(string key) => _settings.Find(s => s.Key == key);

    internal void Replace(List<XlSetting> settings) => _settings = settings;
}
