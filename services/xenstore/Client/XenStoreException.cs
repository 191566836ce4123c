using Micro.XenStore.Wire;

namespace Micro.XenStore.Client;

/// <summary>The daemon refused a request: <see cref="Error"/> is the errno name it sent (XS_ERROR).</summary>
public sealed class XenStoreException : Exception
{
    public XenStoreException(XsError error, string request)
        : base($"xenstored refused {request}: {error}")
    {
        Error = error;
        Request = request;
    }

    public XenStoreException()
    {
    }

    public XenStoreException(string message) : base(message)
    {
    }

    public XenStoreException(string message, Exception inner) : base(message, inner)
    {
    }

    public XsError Error { get; }

    /// <summary>The request type and its first argument, for the message.</summary>
    public string Request { get; } = "";
}
