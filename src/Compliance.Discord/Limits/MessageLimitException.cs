namespace Compliance.Discord.Limits;

/// <summary>
/// A message, embed, component or modal breaks one of Discord's limits; thrown before anything is sent, so no
/// 400 is spent. <see cref="Path"/> names the field the way Discord's form errors do (e.g. <c>embeds.0.title</c>).
/// </summary>
public sealed class MessageLimitException : ArgumentException
{
    public MessageLimitException(string path, string message) : base($"{path}: {message}") => Path = path;

    public MessageLimitException() { }

    public MessageLimitException(string message) : base(message) { }

    public MessageLimitException(string message, Exception innerException) : base(message, innerException) { }

    public string Path { get; } = "";
}
