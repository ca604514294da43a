/**
 * A small catalog covering every price form: package, per-unit (sub-cent), tiered, licensed.
 * `s` suffixes every Stripe identity, so several tests can share one emulator without colliding.
 */
export declare function catalogYaml(s: string, edits?: {
    amount?: number;
    name?: string;
    aggregation?: string;
    dropPro?: boolean;
    tokensEvent?: string;
}): string;
/** A fresh directory holding `pricing.yaml` with the given text. */
export declare function workdir(yaml: string): {
    dir: string;
    write(text: string): void;
};
