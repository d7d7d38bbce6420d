using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// A loopback port that refuses connections: a socket bound but never listening holds the port (so nothing else
/// takes it) and the kernel answers every connect with a reset. Used as an unreachable <c>resume_gateway_url</c>.
/// </summary>
internal static class FakeUnreachableHost
{
    // One for the process: it only has to refuse, and a bound socket costs nothing.
    private static readonly Lazy<int> s_port = new(() =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        s_socket = socket;
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    });

    private static Socket? s_socket;

    public static Uri Url(string path) => new(string.Create(CultureInfo.InvariantCulture, $"ws://127.0.0.1:{s_port.Value}/{path}"));

    /// <summary>Whether the bound socket is still held (for the fake's own tests).</summary>
    public static bool Held => s_socket is { IsBound: true };
}
