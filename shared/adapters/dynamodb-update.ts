/**
 * Builds the UpdateItem expressions that turn a stored item into its next state: the attributes that changed are
 * SET, the ones that are gone are REMOVEd, the key attributes are never touched. Every name and value goes through a
 * placeholder, so reserved words (`status`) need no care at the call site.
 */
export class UpdateExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  #nextName = 0;
  #nextValue = 0;
  readonly #nameOf = new Map<string, string>();

  /** The placeholder of an attribute name (or a dotted path's parts). */
  name(path: string): string {
    return path
      .split('.')
      .map((part) => {
        let placeholder = this.#nameOf.get(part);
        if (placeholder === undefined) {
          placeholder = `#n${this.#nextName++}`;
          this.#nameOf.set(part, placeholder);
          this.names[placeholder] = part;
        }
        return placeholder;
      })
      .join('.');
  }

  /** The placeholder of a value. */
  value(value: unknown): string {
    const placeholder = `:v${this.#nextValue++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /**
   * `SET …, REMOVE …` taking `before` to `after` (top-level attributes, compared by value), or undefined when they
   * are equal. `keys` are left out.
   */
  changes(
    before: Readonly<Record<string, unknown>>,
    after: Readonly<Record<string, unknown>>,
    keys: readonly string[],
  ): string | undefined {
    const sets: string[] = [];
    const removes: string[] = [];
    for (const [attribute, value] of Object.entries(after)) {
      if (keys.includes(attribute) || value === undefined) continue;
      if (JSON.stringify(before[attribute]) !== JSON.stringify(value)) {
        sets.push(`${this.name(attribute)} = ${this.value(value)}`);
      }
    }
    for (const [attribute, value] of Object.entries(before)) {
      if (keys.includes(attribute) || value === undefined) continue;
      if (after[attribute] === undefined) removes.push(this.name(attribute));
    }
    const clauses = [
      ...(sets.length > 0 ? [`SET ${sets.join(', ')}`] : []),
      ...(removes.length > 0 ? [`REMOVE ${removes.join(', ')}`] : []),
    ];
    return clauses.length === 0 ? undefined : clauses.join(' ');
  }

  /** The placeholders in the form an UpdateCommand takes (absent when none were used). */
  attributes(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } {
    return {
      ...(Object.keys(this.names).length > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}
