// The peers-bench form (its renderer-neutral IR) as an eform definition: one page, one section
// per IR section, the data a flat object keyed by the IR's field keys (`/s001_name`).
// Picked up by the harness's fixtures/gen.mjs as adapters/eform/format.mjs.
export const format = 'eform';

// The IR's texts are English; a definition needs both languages, so both carry them.
const text = (s) => ({ vi: s, en: s });

function schemaOf(f) {
  switch (f.kind) {
    case 'text':
      return f.maxLength ? { type: 'string', maxLength: f.maxLength } : { type: 'string' };
    case 'email': return { type: 'string', format: 'email' };
    case 'date': return { type: 'string', format: 'date' };
    case 'number': return { type: 'integer', minimum: f.min, maximum: f.max };
    case 'select':
    case 'radio': return { type: 'string', enum: f.options.map((o) => o.value) };
    case 'checkbox': return { type: 'boolean' };
    case 'pattern': return { type: 'string', pattern: f.pattern };
    case 'textarea': return { type: 'string', maxLength: 2000 };
    default: throw new Error(`unknown kind ${f.kind}`);
  }
}

const WIDGET = {
  text: 'text', email: 'email', date: 'date', number: 'number', select: 'select', radio: 'radio',
  checkbox: 'checkbox', pattern: 'text', textarea: 'textarea',
};

function item(f) {
  const it = { pointer: `/${f.key}`, widget: WIDGET[f.kind], label: text(f.label) };
  if (f.options) it.options = f.options.map((o) => ({ value: o.value, label: text(o.label) }));
  if (f.conditional) {
    const v = f.conditional.equals;
    const rule = `${f.conditional.on} = ${typeof v === 'string' ? JSON.stringify(v) : v}`;
    // Shown, and then required, only while its controller says so.
    it.visibleIf = rule;
    if (f.required) it.requiredIf = rule;
  }
  return it;
}

export function convert(ir) {
  const properties = {};
  const required = [];
  for (const f of ir.fields) {
    properties[f.key] = schemaOf(f);
    if (f.required && !f.conditional) required.push(f.key);
  }
  const def = {
    id: `peers-bench-${ir.n}`,
    version: 1,
    title: text(`Application form (${ir.n} fields)`),
    dataSchema: { type: 'object', required, properties },
    pages: [{
      id: 'application',
      title: text('Application'),
      sections: ir.sections.map((s) => ({ id: s.key, title: text(s.title), items: s.fields.map(item) })),
    }],
  };
  return { def, valid: ir.valid, invalid: ir.invalid };
}
