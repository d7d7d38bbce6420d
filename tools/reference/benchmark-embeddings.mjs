// Transformers.js side of the embedding side-by-side benchmark (scripts/bench-embeddings.sh runs both sides).
//
//   node tools/reference/benchmark-embeddings.mjs prepare --model DIR --output inputs.json
//       writes the shared inputs: queries of ~16 tokens and passages of exactly 512 tokens (gte-small tokenizer)
//   node tools/reference/benchmark-embeddings.mjs prepare --model DIR --output inputs.json --obliqa DIR [--passages N]
//       real inputs instead (scripts/bench-embedding-models.sh): ObliQA dev questions as they are, and N ObliQA
//       passages of every length (cut to 512 tokens), so the embedder's length-sorted batching is what is measured
//   node tools/reference/benchmark-embeddings.mjs run --model DIR --inputs inputs.json --threads N [--batch 8]
//       measures query latency (p50/p99, one query per call) and passage throughput (tokens/s, --batch passages per
//       call) with the feature-extraction pipeline (mean pooling, normalised); prints one JSON line.
//       [--spinning 0|1] sets ORT's session.intra_op.allow_spinning (default: ORT's, which spins).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pipeline, env } from '@huggingface/transformers';
import { embeddingTexts } from './embedding-texts.mjs';

const [command, ...rest] = process.argv.slice(2);
const { values: args } = parseArgs({
  args: rest,
  options: {
    model: { type: 'string' },
    inputs: { type: 'string' },
    output: { type: 'string' },
    threads: { type: 'string', default: '2' },
    batch: { type: 'string', default: '8' },
    queries: { type: 'string', default: '400' },
    passages: { type: 'string', default: '32' },
    spinning: { type: 'string' }, // "0"/"1": ORT's session.intra_op.allow_spinning; unset keeps ORT's default (spin)
    obliqa: { type: 'string' },
  },
});
if (!args.model || !['prepare', 'run'].includes(command)) {
  console.error('usage: benchmark-embeddings.mjs prepare|run --model DIR ...');
  process.exit(2);
}

const modelDir = path.resolve(args.model);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(modelDir) + path.sep;
const extractor = await pipeline('feature-extraction', path.basename(modelDir), {
  subfolder: '',
  dtype: 'fp32',
  session_options: {
    intraOpNumThreads: Number(args.threads),
    interOpNumThreads: 1,
    ...(args.spinning === undefined ? {} : { extra: { session: { intra_op: { allow_spinning: args.spinning } } } }),
  },
});
const tokenizer = extractor.tokenizer;

if (command === 'prepare' && args.obliqa) {
  const dev = JSON.parse(readFileSync(path.join(args.obliqa, 'ObliQA_dev.json'), 'utf8'));
  const queries = dev.slice(0, 200).map((q) => q.Question);
  // Every k-th passage of every document, in document order: the corpus's own mix of headings and long rules.
  const dir = path.join(args.obliqa, 'StructuredRegulatoryDocuments');
  const all = readdirSync(dir).sort((a, b) => parseInt(a) - parseInt(b))
    .flatMap((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')).map((p) => p.Passage))
    .filter((t) => t && t.trim().length > 0);
  const wanted = Number(args.passages === '32' ? 400 : args.passages);
  const step = Math.max(1, Math.floor(all.length / wanted));
  const passages = [];
  const passageTokens = [];
  for (let i = 0; i < all.length && passages.length < wanted; i += step) {
    let words = all[i].split(/\s+/);
    while (tokenizer.encode(words.join(' ')).length > 512) words = words.slice(0, Math.floor(words.length * 0.9));
    passages.push(words.join(' '));
    passageTokens.push(tokenizer.encode(passages.at(-1)).length);
  }
  writeFileSync(args.output, JSON.stringify({ source: 'ObliQA', queries, passages, passageTokens }));
  const tokens = passageTokens.reduce((a, b) => a + b, 0);
  console.error(`prepared ${queries.length} ObliQA questions and ${passages.length} passages (${tokens} tokens, mean ${(tokens / passages.length).toFixed(0)}) in ${args.output}`);
  process.exit(0);
}
if (command === 'prepare') {
  const texts = embeddingTexts();
  // Queries: compliance questions cut or padded to 14 word pieces + [CLS] + [SEP] = 16 tokens.
  const questions = texts.filter((t) => t.endsWith('?') && t.length > 20);
  const words = texts.join(' ').split(/\s+/).filter((w) => /^[A-Za-z]+$/.test(w));
  const queries = [];
  for (let i = 0; queries.length < 64; i++) {
    let q = questions[i % questions.length].split(' ');
    let extra = i;
    while (tokenizer.encode(q.join(' ')).length < 16) q.push(words[(extra++ * 7) % words.length]);
    while (tokenizer.encode(q.join(' ')).length > 16) q.pop();
    queries.push(q.join(' '));
  }
  // Passages: running prose cut to exactly 512 tokens, each starting at a different sentence.
  const prose = texts.filter((t) => t.length > 60 && !/[^\x20-\x7e]/.test(t));
  const passages = [];
  for (let i = 0; passages.length < Number(args.passages); i++) {
    const sentenceWords = prose.slice(i).concat(prose.slice(0, i)).join(' ').split(' ');
    let lo = 1, hi = sentenceWords.length;
    while (lo < hi) { // the longest word prefix that stays within 512 tokens
      const mid = Math.ceil((lo + hi) / 2);
      if (tokenizer.encode(sentenceWords.slice(0, mid).join(' ')).length <= 512) lo = mid; else hi = mid - 1;
    }
    const passage = sentenceWords.slice(0, lo).join(' ');
    if (tokenizer.encode(passage).length >= 505) passages.push(passage);
  }
  const tokens = (list) => list.map((t) => tokenizer.encode(t).length);
  writeFileSync(args.output, JSON.stringify({ queries, passages, queryTokens: tokens(queries), passageTokens: tokens(passages) }, null, 1));
  console.error(`wrote ${queries.length} queries and ${passages.length} passages to ${args.output}`);
  process.exit(0);
}

const inputs = JSON.parse(readFileSync(args.inputs, 'utf8'));
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const now = () => Number(process.hrtime.bigint()) / 1e6;

// Query latency: one call per query, as a user question arrives.
const queryCount = Number(args.queries);
for (let i = 0; i < 50; i++) await extractor(inputs.queries[i % inputs.queries.length], { pooling: 'mean', normalize: true });
const latencies = [];
for (let i = 0; i < queryCount; i++) {
  const start = now();
  await extractor(inputs.queries[i % inputs.queries.length], { pooling: 'mean', normalize: true });
  latencies.push(now() - start);
}
latencies.sort((a, b) => a - b);

// Passage throughput: batches of --batch passages per call.
const batch = Number(args.batch);
await extractor(inputs.passages.slice(0, batch), { pooling: 'mean', normalize: true });
const totalTokens = inputs.passageTokens.reduce((a, b) => a + b, 0);
const start = now();
for (let i = 0; i < inputs.passages.length; i += batch) {
  await extractor(inputs.passages.slice(i, i + batch), { pooling: 'mean', normalize: true });
}
const seconds = (now() - start) / 1000;

console.log(JSON.stringify({
  side: 'transformers.js', threads: Number(args.threads), spinning: args.spinning ?? 'ORT default',
  queryP50Ms: percentile(latencies, 50), queryP99Ms: percentile(latencies, 99), queries: queryCount,
  passageTokensPerSecond: totalTokens / seconds, passages: inputs.passages.length, batch,
}));
