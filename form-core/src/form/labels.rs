//! The labels messages name a field by, and the warnings about default messages.

use super::*;
#[cfg(feature = "meta-schema")]
use crate::definition::{AddressMode, Widget};
#[cfg(feature = "meta-schema")]
use crate::diagnostic::Diagnostic;
use crate::messages;
use crate::text::Text;

/// The sections (page, section) each field label is found in, per language, as
/// [`messages::clean_label`] gives it: the first one, and whether another section has it too.
/// Built once per form, so that a message names its field in constant time (a form of 1,000
/// empty required fields had asked for a million labels on its first evaluation).
#[derive(Debug, Default)]
pub(crate) struct LabelSections {
    vi: HashMap<String, ((usize, usize), bool)>,
    en: HashMap<String, ((usize, usize), bool)>,
}

impl LabelSections {
    fn of(fields: &[Field], items: &[ItemAt]) -> LabelSections {
        let mut out = LabelSections::default();
        for (f, at) in fields.iter().zip(items) {
            let here = (at.page, at.section);
            for (map, label) in [(&mut out.vi, &f.label.vi), (&mut out.en, &f.label.en)] {
                let entry = map
                    .entry(messages::clean_label(label).to_owned())
                    .or_insert((here, false));
                entry.1 |= entry.0 != here;
            }
        }
        out
    }

    /// Whether a section other than `here` has a field labelled `label`.
    fn elsewhere(
        map: &HashMap<String, ((usize, usize), bool)>,
        label: &str,
        here: (usize, usize),
    ) -> bool {
        map.get(label)
            .is_some_and(|&(first, more)| more || first != here)
    }
}

impl Form {
    /// A field's label as default messages name it, as written and within a sentence
    /// ([`messages::clean_label`], [`messages::in_sentence`]), with its section's title (or its
    /// page's) when a field of another section has the same label: "Enter full name (The
    /// woman)" and "… (The man)" on a declaration by two parties.
    pub(crate) fn message_label(&self, field: &Field) -> (Text, Text) {
        let clean =
            |t: &Text| Text::new(messages::clean_label(&t.vi), messages::clean_label(&t.en));
        let label = clean(&field.label);
        let mut inside = Text::new(
            messages::in_sentence(&label.vi),
            messages::in_sentence(&label.en),
        );
        let mut label = label;
        let Some(at) = self.field_index.get(&field.pointer).map(|&i| self.items[i]) else {
            return (label, inside);
        };
        let here = (at.page, at.section);
        let sections = self
            .label_sections
            .get_or_init(|| LabelSections::of(&self.fields, &self.items));
        let page = &self.definition.pages[at.page];
        let title = clean(
            page.sections[at.section]
                .title
                .as_ref()
                .unwrap_or(&page.title),
        );
        // Per language: two labels may differ in one and not in the other.
        if LabelSections::elsewhere(&sections.vi, &label.vi, here) {
            label.vi = format!("{} ({})", label.vi, title.vi);
            inside.vi = format!("{} ({})", inside.vi, title.vi);
        }
        if LabelSections::elsewhere(&sections.en, &label.en, here) {
            label.en = format!("{} ({})", label.en, title.en);
            inside.en = format!("{} ({})", inside.en, title.en);
        }
        (label, inside)
    }

    /// Fields whose default message for a missing value would read badly — the label is long
    /// (more than 120 characters: a sentence, not a name) or addresses someone ("Kính gửi …", "To …") — and that have no
    /// message of their own: a warning at the label, quoting the message, for `eform check` and
    /// the builder.
    #[cfg(feature = "meta-schema")]
    pub(crate) fn message_warnings(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (f, &at) in self.fields.iter().zip(&self.items) {
            let item = self.item_at(at);
            // An address's parts are required once any is given, whether or not the address is.
            let may_be_required =
                f.required || item.required_if.is_some() || f.widget == Widget::Address;
            if !may_be_required || item.compute.is_some() || f.widget == Widget::Checkbox {
                continue;
            }
            let own = match f.widget {
                Widget::Address => item
                    .mode
                    .parts()
                    .1
                    .iter()
                    .all(|p| item.messages.contains_key(*p)),
                _ => item.messages.contains_key("required"),
            };
            if own {
                continue;
            }
            let (clean, inside) = self.message_label(f);
            let long = |t: &str| messages::clean_label(t).chars().count() > 120;
            let addressing = clean.vi.starts_with("Kính gửi")
                || clean.en.starts_with("To (")
                || clean.en.starts_with("To:");
            if !(long(&f.label.vi) || long(&f.label.en) || addressing) {
                continue;
            }
            let would = match f.widget {
                Widget::Address if item.mode == AddressMode::Foreign => Text::new(
                    format!("Vui lòng chọn quốc gia của {}.", inside.vi),
                    format!("Select the country of {}.", inside.en),
                ),
                Widget::Address => Text::new(
                    format!("Vui lòng chọn tỉnh, thành phố của {}.", inside.vi),
                    format!("Select the province or city of {}.", inside.en),
                ),
                _ => messages::required(f.widget, &clean, &inside),
            };
            let mut ptr = format!(
                "/pages/{}/sections/{}/items/{}",
                at.page, at.section, at.item
            );
            if let Some(c) = at.column {
                ptr.push_str(&format!("/columns/{c}"));
            }
            let key = if f.widget == Widget::Address {
                "messages.province …"
            } else {
                "messages.required"
            };
            out.push(Diagnostic::warning(
                format!("{ptr}/label"),
                "default-message",
                Text::new(
                    format!("Khi thiếu, thông báo mặc định sẽ là “{}” — nên đặt {key} cho trường này, hoặc rút gọn nhãn.", would.vi),
                    format!("When it is missing, the default message would read “{}”: give the item its own {key}, or a shorter label.", would.en),
                ),
            ));
        }
        out
    }
}
