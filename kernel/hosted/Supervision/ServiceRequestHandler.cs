using Micro.Protocol.Messages;

namespace Micro.Kernel.Supervision;

/// <summary>A reply to a service's request and the capabilities (fds, still owned by the core) sent with it.</summary>
public readonly record struct ServiceReply(Message Message, int[]? Fds = null);

/// <summary>Serves the requests on one service's control channel; every request is checked against that service's rights.</summary>
public abstract class ServiceRequestHandler
{
    public abstract ServiceReply Handle(ServiceRecord service, Message request);
}
