namespace Compliance.Contracts;
