/** The part of `@nlpjs/neural` the engine uses (the package ships no type declarations). */
declare module '@nlpjs/neural' {
  /** Input or output of one training example: feature (or intent) name → value. */
  export type Features = Record<string, number>;

  /** One perceptron per intent over sparse features (nlp.js' intent classifier, without its language pipeline). */
  export class NeuralNetwork {
    constructor(settings?: { log?: boolean; iterations?: number });
    /** Trains on the corpus (synchronous); returns the final training status. */
    train(corpus: Array<{ input: Features; output: Features }>): { error: number; iterations: number };
    /** Each intent's activation (≥ 0) for the input's known features; undefined before training. */
    run(input: Features): Features | undefined;
    toJSON(): unknown;
    fromJSON(json: unknown): void;
  }
}
