// What a grant or a mail's attachments give: one currency and one item, each with how many.
import type { Inputs } from './api.js';

type Amounts = NonNullable<Inputs['actions']['grant']['currencies']>;

export function AmountFields() {
  return (
    <div class="amounts">
      <label>
        Currency
        <input name="currency" autocomplete="off" />
      </label>
      <label>
        Amount
        <input name="amount" type="number" min="1" step="1" />
      </label>
      <label>
        Item
        <input name="item" autocomplete="off" />
      </label>
      <label>
        Quantity
        <input name="quantity" type="number" min="1" step="1" />
      </label>
    </div>
  );
}

function one(form: FormData, nameField: string, countField: string): Amounts | undefined {
  const name = String(form.get(nameField) ?? '').trim();
  const count = Number(form.get(countField) || 0);
  if (!name && !count) return undefined;
  if (!name || !Number.isInteger(count) || count <= 0) throw new Error(`Give both a ${nameField} and how many (a whole number above 0).`);
  return { [name]: count };
}

/** The form's currencies and items, as the API takes them (each left out when empty). */
export function amountsOf(form: FormData): { currencies?: Amounts; items?: Amounts } {
  const currencies = one(form, 'currency', 'amount');
  const items = one(form, 'item', 'quantity');
  return { ...(currencies ? { currencies } : {}), ...(items ? { items } : {}) };
}
