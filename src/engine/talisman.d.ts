/** The two talisman functions the engine uses (the package ships no type declarations). */
declare module 'talisman/stemmers/french/porter' {
  /** Snowball's French stemmer: "renouvellement", "renouveler" → "renouvel". */
  export default function porter(word: string): string;
}
declare module 'talisman/phonetics/french/phonetic' {
  /** A French phonetic key: "kosien" and "quotient" → "KOSIN". */
  export default function phonetic(word: string): string;
}
