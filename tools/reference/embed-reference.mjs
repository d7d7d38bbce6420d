// Reference sentence embeddings from Transformers.js (feature-extraction, normalised) on a local model directory,
// written as the fixture the C# embedder is compared against.
//
//   node tools/reference/embed-reference.mjs --model .tools/models/gte-small-tiny \
//        --output tests/fixtures/embeddings/gte-small-tiny.reference.json [--threads 1] [--batch 8]
//   node tools/reference/embed-reference.mjs --model DIR --output FILE --texts tests/fixtures/embeddings/recipe-texts.json \
//        --pooling cls --query-prefix 'Represent this sentence for searching relevant passages: '
//
// --pooling is the model's (mean or cls). --texts is a JSON array of strings, or of {"role":"query"|"passage",
// "text":...}: a query is embedded as query prefix + text, exactly what sentence-transformers' encode(prompt_name=
// "query") does; the fixture keeps the bare text, its role and the ids of what was embedded. Transformers.js needs
// a config.json (model_type bert) in DIR.
//
// Vectors are stored as base64 little-endian int16 of round(x * 32767) (|x| <= 1 for unit vectors): error below
// 2e-5 per component, a quarter of the size of decimal text. Transformers.js does not truncate with gte-small's
// files, so every text here stays under 512 tokens (the script refuses longer ones).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pipeline, env } from '@huggingface/transformers';
import { embeddingTexts } from './embedding-texts.mjs';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    output: { type: 'string' },
    texts: { type: 'string' },
    threads: { type: 'string', default: '1' },
    batch: { type: 'string', default: '8' },
    pooling: { type: 'string', default: 'mean' },
    'query-prefix': { type: 'string', default: '' },
  },
});
if (!args.model || !args.output) {
  console.error('usage: embed-reference.mjs --model DIR --output FILE [--texts texts.json] [--threads N] [--batch N]');
  process.exit(2);
}

const modelDir = path.resolve(args.model);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(modelDir) + path.sep;
const modelFile = path.join(modelDir, 'model.onnx');
const extractor = await pipeline('feature-extraction', path.basename(modelDir), {
  subfolder: '',
  dtype: 'fp32',
  session_options: { intraOpNumThreads: Number(args.threads) },
});

const entries = (args.texts ? JSON.parse(readFileSync(args.texts, 'utf8')) : embeddingTexts())
  .map((entry) => (typeof entry === 'string' ? { role: 'passage', text: entry } : entry));
const prefix = args['query-prefix'];
const roles = args.texts && entries.some((e) => e.role === 'query');
const items = [];
const batch = Number(args.batch);
for (let start = 0; start < entries.length; start += batch) {
  const slice = entries.slice(start, start + batch);
  const chunk = slice.map((e) => (e.role === 'query' ? prefix + e.text : e.text));
  const ids = chunk.map((t) => extractor.tokenizer.encode(t));
  const tooLong = ids.findIndex((x) => x.length > 512);
  if (tooLong >= 0) {
    throw new Error(`text ${start + tooLong} has ${ids[tooLong].length} tokens; keep reference texts within 512`);
  }
  const output = await extractor(chunk, { pooling: args.pooling, normalize: true });
  const width = output.dims[1];
  for (let i = 0; i < chunk.length; i++) {
    const vector = output.data.subarray(i * width, (i + 1) * width);
    const quantized = Int16Array.from(vector, (x) => Math.round(x * 32767));
    const vectorText = Buffer.from(quantized.buffer).toString('base64');
    items.push(roles ? { role: slice[i].role, text: slice[i].text, ids: ids[i], vector: vectorText } : { text: chunk[i], ids: ids[i], vector: vectorText });
  }
}

const fixture = {
  description: `Transformers.js feature-extraction (pooling ${args.pooling}, normalize true) vectors; regenerate with tools/reference/embed-reference.mjs`,
  model: path.basename(modelDir),
  ...(roles ? { pooling: args.pooling, queryPrefix: prefix } : {}),
  modelSha256: createHash('sha256').update(readFileSync(modelFile)).digest('hex'),
  transformersJs: JSON.parse(readFileSync(new URL('./node_modules/@huggingface/transformers/package.json', import.meta.url))).version,
  dimensions: items.length ? Buffer.from(items[0].vector, 'base64').length / 2 : 0,
  scale: 32767,
  items,
};
mkdirSync(path.dirname(path.resolve(args.output)), { recursive: true });
// One item per line: readable diffs without the bulk of pretty-printing every id.
const { items: all, ...header } = fixture;
const head = JSON.stringify(header, null, 2).replace(/\n}$/, ',\n  "items": [\n');
writeFileSync(args.output, head + all.map((item) => '    ' + JSON.stringify(item)).join(',\n') + '\n  ]\n}\n');
console.error(`wrote ${items.length} reference vectors for ${fixture.model} to ${args.output}`);
