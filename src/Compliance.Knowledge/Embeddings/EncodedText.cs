namespace Compliance.Knowledge.Embeddings;

/// <summary>
/// One text as the model sees it: <c>[CLS]</c>, the word-piece ids, <c>[SEP]</c>. For a single sequence the attention
/// mask is all ones and the token type ids all zeros, so they are not stored (the embedder pads per batch).
/// </summary>
/// <param name="Ids">Token ids including <c>[CLS]</c> and <c>[SEP]</c>; never empty.</param>
/// <param name="Truncated">True when word pieces were dropped to fit the maximum length.</param>
/// <param name="UntruncatedLength">The number of ids, specials included, that the text would have had untruncated.</param>
public sealed record EncodedText(int[] Ids, bool Truncated, int UntruncatedLength);
