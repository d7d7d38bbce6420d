namespace Compliance.Knowledge;
