namespace Compliance.Testing;
