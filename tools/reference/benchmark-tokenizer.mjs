// Transformers.js tokenizer throughput on the same texts as the C# benchmark
// (bench/Compliance.Benchmarks/Tokenizer/TokenizerBenchmarkInput.cs): the regulatory strings of the reference fixture,
// or, with TOKENIZER_BENCH_CORPUS=<folder of .txt files>, those files cut into 2,000-character passages.
//
//   cd tools/reference && npm install --ignore-scripts && node benchmark-tokenizer.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer, env } from '@huggingface/transformers';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
env.allowRemoteModels = false;
env.localModelPath = path.join(repo, 'tests', 'fixtures');
const tokenizer = await AutoTokenizer.from_pretrained('gte-small');

let texts;
let description;
const corpus = process.env.TOKENIZER_BENCH_CORPUS;
if (corpus) {
  texts = [];
  for (const file of fs.readdirSync(corpus).filter((f) => f.endsWith('.txt')).sort()) {
    const text = fs.readFileSync(path.join(corpus, file), 'utf8');
    for (let start = 0; start < text.length; start += 2000) texts.push(text.slice(start, start + 2000));
  }
  description = `corpus ${corpus}`;
} else {
  const fixture = path.join(repo, 'tests', 'fixtures', 'tokenizer', 'gte-small-reference.jsonl');
  texts = fs.readFileSync(fixture, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    .filter((e) => e.kind.startsWith('regulatory') && e.text !== undefined).map((e) => e.text);
  description = 'regulatory strings of tests/fixtures/tokenizer/gte-small-reference.jsonl';
}
const bytes = texts.reduce((sum, t) => sum + Buffer.byteLength(t, 'utf8'), 0);
console.log(`input: ${description}: ${texts.length} texts, ${bytes.toLocaleString('en')} UTF-8 bytes`);

const measure = (name, run) => {
  for (let i = 0; i < 3; i++) run(); // warm up the JIT
  const times = [];
  for (let i = 0; i < 10; i++) {
    const start = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`${name.padEnd(34)} median ${median.toFixed(1)} ms  ${(bytes / 1e6 / (median / 1000)).toFixed(2)} MB/s`);
};
let sink = 0;
measure('tokenizer.encode(text)', () => { for (const t of texts) sink += tokenizer.encode(t).length; });
measure('tokenizer(text) (ids + mask + types)', () => { for (const t of texts) sink += tokenizer(t).input_ids.size; });
if (sink === 0) console.log('nothing tokenized');
