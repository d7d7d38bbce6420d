// The texts the embedding reference fixture covers: compliance prose written for this project (no third-party
// text), questions, short queries, and the awkward cases (empty, whitespace, accents, CJK, emoji, control
// characters, long words, numbers with punctuation, passages near the 512-token limit). Deterministic.

const sentences = [
  'Employees must not trade in securities of a listed issuer while in possession of inside information.',
  'The blackout window begins fifteen calendar days before the end of each financial quarter.',
  'All gifts and hospitality above USD 100 must be recorded in the register within five business days.',
  'A suspicious transaction report must be filed with the Financial Intelligence Unit without delay.',
  'Customer due diligence shall be completed before establishing a business relationship.',
  'Enhanced due diligence applies to politically exposed persons and their close associates.',
  'Personal account dealing requires pre-clearance from the compliance function.',
  'Client money must be held in a segregated account with an eligible bank.',
  'The firm must retain records of each transaction for at least six years.',
  'Conflicts of interest must be identified, recorded and managed or disclosed to the client.',
  'Marketing material must be fair, clear and not misleading.',
  'The Money Laundering Reporting Officer reports directly to the governing body.',
  'Outsourcing of a material function requires prior notification to the regulator.',
  'Breaches of this policy may lead to disciplinary action, including dismissal.',
  'Whistleblowers are protected from retaliation when they report concerns in good faith.',
  'The annual compliance monitoring programme is approved by the board.',
  'Sanctions screening is performed on all new clients and on every payment.',
  'Complaints must be acknowledged within two business days and resolved within eight weeks.',
  'Market abuse includes insider dealing, unlawful disclosure and market manipulation.',
  'A senior manager must attest annually that the firm\'s systems and controls are adequate.',
  'Staff must complete anti-money laundering training within one month of joining.',
  'Cross-border payments above the threshold require additional verification of the beneficiary.',
  'The risk appetite statement sets limits for credit, market, liquidity and operational risk.',
  'Information barriers separate the advisory team from the trading desk.',
  'The firm must notify the regulator of any significant breach within 24 hours.',
  'Remuneration policies must not encourage excessive risk-taking.',
  'Data protection impact assessments are required before processing special category data.',
  'Each client is classified as retail, professional or market counterparty.',
  'Suitability assessments must be documented before giving a personal recommendation.',
  'Inducements that impair the duty to act in the client\'s best interest are prohibited.',
];

const questions = [
  'Can I sell shares during the blackout window?',
  'Do I need approval before buying stock in a client company?',
  'How long do we keep transaction records?',
  'What is the limit for gifts from a supplier?',
  'Who do I report a suspicious payment to?',
  'Is a dinner invitation from a broker allowed?',
  'When must a complaint be resolved?',
  'What counts as inside information?',
  'Do politically exposed persons need extra checks?',
  'Can I trade crypto in my personal account?',
  'How do I report a conflict of interest?',
  'What happens if I miss the AML training deadline?',
  'Are we allowed to outsource KYC checks?',
  'what is the blackout period',
  'gift limit',
  'whistleblowing',
  'PEP',
  'AML',
  'record retention 6 years?',
  'Who approves the compliance monitoring plan?',
];

const awkward = [
  '',
  ' ',
  '   \t\n  ',
  '\n',
  'Réglementation financière : les employés doivent déclarer leurs transactions personnelles.',
  'Die Mitarbeiter müssen Interessenkonflikte unverzüglich offenlegen.',
  'Crème brûlée, naïve café, Ångström, façade, coöperate, résumé.',
  'ÉLÈVE ÀÉÎÕÜ ÇA',
  '金融监管规定要求所有员工报告个人交易。',
  '従業員は個人取引を報告しなければなりません。',
  '직원은 개인 거래를 보고해야 합니다.',
  'Mixed 中文 and English 规则 text.',
  'Trading 📈 is banned 🚫 during the blackout ⏰ window!',
  '👍👍👍',
  'Control\u0007characters\u0000in\u001btext\u200bhere.',
  'Zero\u200dwidth\u200cjoiners and soft\u00adhyphens.',
  'Rule 3.2.1(a)(ii): a fee of USD 10,000.50 (ten thousand) applies; see §4.',
  'Call +971-2-123-4567 or e-mail compliance@example.com before 09:30.',
  '2024-03-31T23:59:59Z 99.9% 1e-12 0x1F ½ ¾ ² ³',
  'Pneumonoultramicroscopicsilicovolcanoconiosis is a long word.',
  'a'.repeat(101) + ' is over one hundred characters.',
  'x'.repeat(100) + ' is exactly one hundred.',
  'supercalifragilisticexpialidocious-antidisestablishmentarianism',
  '"Quoted", (bracketed), [squared], {curly}, <angled> — dashes – and … ellipses',
  'C++ & C# vs. F#; A/B testing; key=value; path\\to\\file',
  'ALL CAPS COMPLIANCE NOTICE: READ CAREFULLY.',
  'tab\tseparated\tvalues\tand\r\nwindows line endings',
  '   leading and trailing spaces   ',
  '.',
  '?!',
];

function passage(startIndex, targetWords) {
  const parts = [];
  let words = 0;
  for (let i = startIndex; words < targetWords; i++) {
    const s = sentences[i % sentences.length];
    parts.push(s);
    words += s.split(/\s+/).length;
  }
  return parts.join(' ');
}

export function embeddingTexts() {
  const texts = [...sentences, ...questions, ...awkward];
  // Pairs and small paragraphs: the typical chunk shapes.
  for (let i = 0; i < sentences.length; i++) {
    texts.push(`${sentences[i]} ${sentences[(i * 7 + 3) % sentences.length]}`);
  }
  for (let i = 0; i < questions.length; i++) {
    texts.push(`${questions[i]} ${sentences[(i * 11 + 5) % sentences.length]}`);
  }
  for (let i = 0; i < 40; i++) {
    texts.push(passage(i * 3, 30 + (i * 17) % 140));
  }
  // Near the limit: gte-small's tokenizer gives ~1.2 tokens per word on this prose, so 380 words stay below 512.
  for (let i = 0; i < 6; i++) {
    texts.push(passage(i * 5, 300 + i * 16));
  }
  for (let i = 0; i < 20; i++) {
    texts.push(`${questions[i % questions.length].toUpperCase()} ${awkward[(i * 3) % awkward.length]}`);
  }
  // Queries as people type them: lower case, no punctuation, a typo or two.
  for (let i = 0; i < questions.length; i++) {
    texts.push(questions[i].toLowerCase().replace(/[?.,']/g, '').replace('the', 'teh'));
  }
  for (let i = 0; i < 12; i++) {
    texts.push(`${awkward[(i * 5 + 4) % awkward.length]} ${sentences[(i * 13) % sentences.length]}`);
  }
  return texts;
}
