// Regenerates tests/fixtures/tokenizer/gte-small-reference.jsonl (varied strings) and
// tests/fixtures/tokenizer/gte-small-unicode-coverage.jsonl (every assigned code point, one per word) with the token
// ids that Transformers.js (@huggingface/transformers, pinned in package.json) gives them with the committed
// gte-small tokenizer files. The C# WordPieceTokenizer must reproduce every line exactly.
//
//   cd tools/reference && npm install --ignore-scripts
//   node generate-tokenizer-fixture.mjs [--corpus DIR-of-.txt-files]   (the committed fixture: samples/policies copied to .txt)
//
// Deterministic: a seeded PRNG picks everything and corpus files are read in sorted order, so the same corpus gives
// the same file. Without --corpus the script keeps the committed texts and only recomputes their ids (e.g. to check
// a newer Transformers.js), so it runs without /work/shared.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer, env } from '@huggingface/transformers';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const fixturePath = path.join(repo, 'tests', 'fixtures', 'tokenizer', 'gte-small-reference.jsonl');
const coveragePath = path.join(repo, 'tests', 'fixtures', 'tokenizer', 'gte-small-unicode-coverage.jsonl');
const args = process.argv.slice(2);
const corpusDir = args.includes('--corpus') ? args[args.indexOf('--corpus') + 1] : null;

env.allowRemoteModels = false;
env.localModelPath = path.join(repo, 'tests', 'fixtures');
const tokenizer = await AutoTokenizer.from_pretrained('gte-small');

// One JSON line per string; lines with lone surrogates carry UTF-16 code units because JSON readers reject them.
function toLine({ kind, text }) {
  const ids = tokenizer.encode(text);
  const hasLoneSurrogate = /\p{Cs}/u.test(text);
  return JSON.stringify(hasLoneSurrogate
    ? { kind, utf16: Array.from({ length: text.length }, (_, i) => text.charCodeAt(i)), ids }
    : { kind, text, ids });
}

// mulberry32: tiny, seedable, good enough to pick fixture material reproducibly.
let seed = 0x5eed2024;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n) => Math.floor(random() * n);
const pick = (list) => list[int(list.length)];
const range = (from, to) => from + int(to - from + 1);
const cp = (c) => String.fromCodePoint(c);

// ---------------------------------------------------------------- regulatory prose
function corpusSentences() {
  const sentences = [];
  for (const file of fs.readdirSync(corpusDir).filter((f) => f.endsWith('.txt')).sort()) {
    const text = fs.readFileSync(path.join(corpusDir, file), 'utf8');
    for (const line of text.split('\n')) {
      const trimmed = line.trim();
      if (trimmed.length < 20) continue;
      for (const sentence of trimmed.split(/(?<=[.;:])\s+(?=[A-Z(])/)) {
        if (sentence.length >= 15) sentences.push(sentence);
      }
    }
  }
  return sentences;
}
const committed = (file) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
  .map((e) => ({ kind: e.kind, text: e.text ?? String.fromCharCode(...e.utf16) }));
if (!corpusDir) {
  for (const file of [fixturePath, coveragePath]) {
    const lines = committed(file).map(toLine);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    console.log(`re-tokenized ${lines.length} committed strings in ${path.relative(repo, file)}`);
  }
  process.exit(0);
}
const sentences = corpusSentences();
if (sentences.length === 0) throw new Error('no regulatory sentences found');

const entries = [];
const add = (kind, text) => entries.push({ kind, text });

for (let i = 0; i < 1800; i++) add('regulatory', pick(sentences));
// Paragraphs long enough (well over 512 tokens) to exercise truncation on the C# side.
for (let i = 0; i < 40; i++) {
  const start = int(sentences.length - 80);
  add('regulatory-long', sentences.slice(start, start + range(30, 70)).join(i % 2 ? '\r\n' : ' '));
}

// ---------------------------------------------------------------- material for the other kinds
const accented = ['café', 'naïve', 'résumé', 'Über', 'Straße', 'façade', 'ÉLYSÉE', 'São Paulo', 'Ångström', 'Kraków',
  'Łódź', 'Dvořák', 'Ærøskøbing', 'İstanbul', 'IŞIK', 'ığdır', 'Nguyễn Thị Minh Khai', 'Việt Nam', 'crème brûlée',
  'jalapeño', 'Zürich', 'Øresund', 'ﬁnance', 'œuvre', 'Ǆemal', 'ǅ', 'ﬀ', 'Ⅻ', '①②③', '½', 'x²', 'ℌ', 'ﬃ',
  'Tōkyō', 'Ḥasan', 'ṣaḥīḥ', 'pʰ', 'Ⓐⓑ', 'ǰ', 'ΐ', 'Å', 'K', 'Ω'];
const decomposed = (s) => s.normalize('NFD');
const cjk = ['中华人民共和国金融监管', '反洗钱规定第十二条', '東京証券取引所', 'ひらがなとカタカナ', 'コンプライアンス',
  '한국어 금융 규정', '대한민국', '金融服務管理局', '豈更車賈滑', '𠀀𠀁𪚥𫝀', '丽丸乁', '㐀㐁', '〇〆〤', '中文，标点。',
  '「引用」', '日本語のテキスト（括弧）', 'ｆｕｌｌｗｉｄｔｈ　ＡＢＣ１２３', 'ﾊﾝｶｸｶﾀｶﾅ', '鿐鿿', '𬺰𰀀𱍐'];
const emoji = ['😀', '👍🏽', '👨‍👩‍👧‍👦', '🇦🇪', '🇬🇧', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '❤️', '✔', '☑️', '💶', '💵', '🚀', '🤖', '🧾',
  '⚖️', '🔒', '1️⃣', '#️⃣', '©', '®', '™', '🫠', '🦩', '👩🏻‍💻', '🏳️‍🌈'];
const controls = ['\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\u000b', '\f', '\r', '\u001b', '\u001f', '\u007f',
  '\u0080', '\u0085', '\u009f', '\u00ad', '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2028', '\u2029',
  '\u2060', '\u2061', '\u2066', '\ufeff', '\ufff9', '\ufffd', '\ufffe', '\uffff', '\u00a0', '\u1680', '\u2002',
  '\u2009', '\u202f', '\u205f', '\u3000', '\u180e', '\ue000', '\uf8ff', cp(0xf0000), cp(0x10fffd), cp(0xe0001),
  cp(0xe0041), cp(0x1d173), '\u034f', '\u061c', '\u0600'];
const scripts = {
  arabic: ['الامتثال', 'غسل الأموال', 'هيئة تنظيم الخدمات المالية', 'سوق أبوظبي العالمي', 'مُحَمَّد', '٠١٢٣٤٥٦٧٨٩', '؟', '،', 'ﷲ', 'ﻻ'],
  cyrillic: ['Банк России', 'ПРОТИВОДЕЙСТВИЕ ЛЕГАЛИЗАЦИИ', 'ёлка', 'Ёжик', 'Україна', 'ґанок', 'Ђорђе', 'й', 'Й'],
  greek: ['ΟΔΟΣ', 'Σοφία', 'ΣΥΣΤΗΜΑΤΟΣ', 'ΆΣ', 'σας', 'Ελλάδα', 'ΝΌΜΟΣ.', "Α'Σ", 'ΑΣ1', 'ΑΣ\u0301', 'ʰΣ', 'Σ', 'ΑΣ.Β', 'ΐΰ', 'ϐϑϕ'],
  devanagari: ['भारतीय रिज़र्व बैंक', 'अनुपालन', 'क़ानून', 'हिन्दी', 'क्षत्रिय', '०१२३'],
  thai: ['ธนาคารแห่งประเทศไทย', 'การปฏิบัติตามกฎระเบียบ', 'ภาษาไทย', '๑๒๓'],
  hebrew: ['הרשות לניירות ערך', 'שָׁלוֹם'],
  other: ['Հայաստան', 'საქართველო', 'አማርኛ', 'ᏣᎳᎩ', 'ꦗꦮ', 'ܣܘܪܝܝܐ', 'ދިވެހި', 'ᠮᠣᠩᠭᠣᠯ', '𐐀𐐨', '𝐀𝐁𝐂', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'ⲀⲂ', 'Ɐ', 'ꞵ'],
};
const allScripts = Object.values(scripts).flat();
const numbers = () => pick([
  () => `${range(1, 99)}.${range(0, 99)}%`, () => `$${range(1, 999)},${String(range(0, 999)).padStart(3, '0')}.${range(10, 99)}`,
  () => `€${range(1, 99)}.${range(100, 999)},${range(10, 99)}`, () => `${range(1, 28)}/${range(1, 12)}/${range(1990, 2030)}`,
  () => `Rule ${range(1, 20)}.${range(1, 30)}.${range(1, 9)}(${pick(['a', 'b', 'c'])})(${pick(['i', 'ii', 'iv'])})`,
  () => `${range(1, 9)}e-${range(1, 20)}`, () => `+971-${range(2, 9)}-${range(100, 999)}-${range(1000, 9999)}`,
  () => `${range(0, 255)}.${range(0, 255)}.${range(0, 255)}.${range(0, 255)}`, () => `USD ${range(1, 999)}m`,
  () => `${range(1, 99)}:${String(range(0, 59)).padStart(2, '0')}`, () => `No.${range(1, 9999)}/${range(2000, 2024)}`,
  () => `${range(1, 9)}½`, () => `١٢٣,٤٥`, () => `Art.${range(1, 99)}§${range(1, 9)}`, () => `-${range(1, 9)}.${range(1, 9)}‰`,
  () => `ISIN AE${range(1000000000, 9999999999)}`, () => `${range(10, 99)}–${range(10, 99)}`, () => `0x${range(0, 65535).toString(16)}`,
])();
const asciiWord = () => Array.from({ length: range(1, 12) }, () => cp(range(97, 122))).join('');
const longWord = (n, alphabet) => Array.from({ length: n }, () => pick(alphabet)).join('');
const printableAscii = () => cp(range(32, 126));
// Random code point from anywhere but the surrogate block (lone surrogates get their own kind).
const anyCodePoint = () => {
  const r = random();
  if (r < 0.5) return cp(range(0x80, 0x2fff));
  if (r < 0.7) return cp(range(0x3000, 0xd7ff));
  if (r < 0.8) return cp(range(0xe000, 0xffff));
  if (r < 0.95) return cp(range(0x10000, 0x1ffff));
  return cp(range(0x20000, 0x10ffff));
};
const insertAt = (s, piece) => {
  const chars = [...s];
  chars.splice(int(chars.length + 1), 0, piece);
  return chars.join('');
};

for (let i = 0; i < 400; i++) {
  const s = pick(sentences);
  const variant = i % 4;
  if (variant === 0) add('regulatory-upper', s.toUpperCase());
  else if (variant === 1) add('regulatory-accents', insertAt(insertAt(s, ` ${pick(accented)} `), pick(accented)));
  else if (variant === 2) add('regulatory-unicode', insertAt(insertAt(s, pick(allScripts)), pick(emoji)));
  else add('regulatory-controls', insertAt(insertAt(insertAt(s, pick(controls)), pick(controls)), pick(controls)));
}
for (let i = 0; i < 350; i++) {
  const words = Array.from({ length: range(1, 6) }, () => pick(accented));
  add('accents', i % 3 === 0 ? decomposed(words.join(' ')) : words.join(pick([' ', '-', ', ', ''])));
}
for (let i = 0; i < 60; i++) add('combining-marks', asciiWord() + Array.from({ length: range(1, 6) }, () => cp(pick([range(0x300, 0x36f), range(0x1ab0, 0x1aff), range(0x20d0, 0x20f0), 0x0345, 0x0e48, 0x093c]))).join('') + asciiWord());
for (let i = 0; i < 350; i++) {
  const parts = Array.from({ length: range(1, 5) }, () => (random() < 0.6 ? pick(cjk) : asciiWord()));
  add('cjk', parts.join(pick(['', ' ', '，', '-'])));
}
for (let i = 0; i < 250; i++) {
  const parts = Array.from({ length: range(1, 6) }, () => (random() < 0.5 ? pick(emoji) : asciiWord()));
  add('emoji', parts.join(pick(['', ' ', ''])));
}
for (let i = 0; i < 250; i++) {
  const parts = Array.from({ length: range(2, 8) }, () => (random() < 0.5 ? pick(controls) : asciiWord()));
  add('controls-zero-width', parts.join(pick(['', ' '])));
}
for (let i = 0; i < 200; i++) {
  const n = pick([99, 100, 101, 102, range(101, 400), range(90, 110), range(150, 1000)]);
  const alphabet = pick([['a', 'b', 'c', 'x'], ['e', 'é', 'è'], ['𝐀', 'a'], ['ก', 'ข'], ['1', '2', '3'], ['a', '\u0301'], ['ab', 'cd']]);
  const word = longWord(n, alphabet);
  add('long-words', random() < 0.5 ? word : `${asciiWord()} ${word} ${asciiWord()}`);
}
for (let i = 0; i < 400; i++) add('numbers', Array.from({ length: range(1, 5) }, numbers).join(pick([' ', ', ', '; ', ''])));
for (let i = 0; i < 700; i++) {
  const script = pick(Object.keys(scripts));
  const parts = Array.from({ length: range(1, 6) }, () => (random() < 0.7 ? pick(scripts[script]) : random() < 0.5 ? pick(allScripts) : asciiWord()));
  add(`script-${script}`, parts.join(pick([' ', '', ' - ', '. '])));
}
const spaces = [' ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u2003', '\u2028', '\u200b', '\ufeff', '\u0085', '\u000b', '\f'];
add('empty', '');
for (let i = 0; i < 80; i++) add('whitespace-only', Array.from({ length: range(1, 12) }, () => pick(spaces)).join(''));
const specials = ['[CLS]', '[SEP]', '[PAD]', '[UNK]', '[MASK]', '[cls]', '[Sep]', '[CLS', 'CLS]', '[[SEP]]', '[ CLS ]', '[SEP][SEP]', '[CLS]\u0000', '[C\u200bLS]', '[MASK]ing'];
for (let i = 0; i < 150; i++) add('special-tokens', Array.from({ length: range(1, 5) }, () => (random() < 0.5 ? pick(specials) : asciiWord())).join(pick(['', ' '])));
for (let i = 0; i < 200; i++) add('ascii-soup', Array.from({ length: range(1, 60) }, printableAscii).join(''));
for (let i = 0; i < 600; i++) add('code-point-soup', Array.from({ length: range(1, 40) }, () => (random() < 0.3 ? printableAscii() : anyCodePoint())).join(''));
// Lone surrogates cannot round-trip through JSON text readers, so these lines carry UTF-16 code units instead.
for (let i = 0; i < 40; i++) add('lone-surrogates', asciiWord() + cp(range(0xd800, 0xdfff)) + (random() < 0.5 ? asciiWord() : cp(range(0xd800, 0xdfff))));

// ---------------------------------------------------------------- every assigned code point
// Each code point stands alone between spaces, 64 to a line, so a wrong category, lowercase mapping or decomposition
// of any single character shows up. Han ideographs, Hangul syllables, Tangut and private use are sampled (every 41st):
// they behave uniformly and would make the file several MB.
const coverage = [];
const unassigned = /^\p{Cn}$/u;
const bulk = /^[\p{Script=Han}\p{Script=Hangul}\p{Script=Tangut}\p{Co}]$/u;
let batch = [];
for (let c = 0; c <= 0x10ffff; c++) {
  if (c >= 0xd800 && c <= 0xdfff) continue;
  const s = cp(c);
  if (unassigned.test(s) || (bulk.test(s) && c % 41 !== 0)) continue;
  batch.push(s);
  if (batch.length === 64) { coverage.push({ kind: 'unicode-coverage', text: batch.join(' ') }); batch = []; }
}
if (batch.length > 0) coverage.push({ kind: 'unicode-coverage', text: batch.join(' ') });

// ---------------------------------------------------------------- tokenize and write
const toLines = (list) => list.map(toLine);
for (const [file, list] of [[fixturePath, entries], [coveragePath, coverage]]) {
  const lines = toLines(list);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  console.log(`wrote ${lines.length} strings to ${path.relative(repo, file)}`);
}
