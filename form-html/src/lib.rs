//! A form-core form drawn as HTML, by one pure function: no IO, no browser types. The portal
//! serves a form page with this markup in it, so that the form is on screen before any script
//! has arrived and can be filled and sent without JavaScript (GOV.UK's progressive enhancement);
//! the citizen runtime takes the same markup over.
//!
//! The markup is the runtime's: the same element ids (from data pointers, [`input::id_for`]),
//! classes, labels, fieldsets, `aria-describedby`/`aria-invalid`/`aria-required`, the error
//! summary linking to each field, pages of which one shows (the others are printed). Every
//! input is named by its data pointer, so a form posted without JavaScript is read back by
//! [`read::data_from_post`]. Text from the definition and the data is always escaped: nothing a
//! designer or a citizen writes is read as HTML.
//!
//! Long on purpose: one renderer: every widget's markup beside the others, so the runtime's ids,
//! classes and aria attributes are defined in one place (its reader and the input conversions are
//! apart).

pub mod input;
pub mod read;
pub mod site;
mod ui;

pub use ui::Ui;

use form_core::{
    AddressMode, Diagnostic, Evaluation, Form, Item, Lang, Text, Widget, Ymd, pointer,
};
use input::{id_for, input_class, option_id, shown_value};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;

/// What to draw: a form, its data, and what the page around it knows.
pub struct Page<'a> {
    pub form: &'a Form,
    pub data: &'a Value,
    pub lang: Lang,
    /// Today's date, for the rules.
    pub today: Ymd,
    /// The errors to show, inline and in the summary (a first visit shows none; a form sent
    /// back by the server shows those of the pages sent).
    pub errors: &'a [Diagnostic],
    /// The page shown, on a form of several pages (the others are drawn, off screen).
    pub current: usize,
    /// Fields locked to a verified value of the citizen's data store (read-only).
    pub locked: &'a BTreeSet<String>,
    /// Where a prefilled field's value came from, by data pointer, in the page's language.
    pub notes: &'a BTreeMap<String, String>,
    /// What the runtime adds when a script runs the form (`None`: the page served without
    /// JavaScript).
    pub live: Option<&'a Live>,
    /// Where the form is posted without JavaScript, and the hidden fields it carries (a CSRF
    /// token). `None`: no `method`/`action`.
    pub action: Option<&'a str>,
    pub hidden: &'a [(&'a str, &'a str)],
    /// The label of the last page's button ("Submit the dossier").
    pub submit: Ui,
}

/// What a script running the form adds to its drawing.
#[derive(Default)]
pub struct Live {
    /// "Report a mistake" under each locked field, when there is a data store to send it to
    /// (`None`: not drawn): by data pointer, what became of a report sent (its status line, and
    /// whether it cannot be sent now: on its way, or taken).
    pub reports: Option<BTreeMap<String, (String, bool)>>,
    /// How the upload of each attachment goes, by data pointer (`Uploading`, `Uploaded`,
    /// `UploadFailed`).
    pub uploads: BTreeMap<String, Ui>,
    /// The communes of a province on their way (`CommunesLoading`) or that could not be
    /// fetched (`CommunesFailed`: a "try again" button, `data-ef-communes`), by province code.
    pub communes: BTreeMap<String, Ui>,
}

/// Where a prefilled field's value came from, in words ("From the national population database
/// — verified, cannot be changed here."), for the field's help line: one wording for the
/// runtime and the portal's page.
pub fn source_note(p: &form_core::datastore::Provenance, locked: bool, lang: Lang) -> String {
    let at = &p.updated_at;
    let day = match (at.get(0..4), at.get(5..7), at.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => at.clone(),
    };
    let text = match p.source.as_str() {
        "national-population-db" => Text::new(
            "Lấy từ Cơ sở dữ liệu quốc gia về dân cư",
            "From the national population database",
        ),
        "enterprise-registry" => Text::new(
            "Lấy từ Hệ thống thông tin quốc gia về đăng ký doanh nghiệp",
            "From the national business registry",
        ),
        _ => Text::new(
            format!("Bạn đã khai ngày {day}"),
            format!("Declared by you on {day}"),
        ),
    };
    let lock = if locked {
        Text::new(
            " — đã xác thực, không sửa được trên biểu mẫu.",
            " — verified, cannot be changed here.",
        )
    } else {
        Text::new(".", ".")
    };
    format!("{}{}", text.get(lang), lock.get(lang))
}

/// Percent-encoding of a query parameter's value (RFC 3986's unreserved characters and `/`
/// stay).
pub fn percent_encode(s: &str) -> String {
    form_core::percent_encode(s, b"/")
}

/// Escapes text for an element's content or a quoted attribute value.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The name of the hidden field or button value that says which page to show next, and the
/// name of the buttons that add, remove and move table rows (`add:/members`, `remove:/members/1`,
/// `up:/members/1`, `down:/members/1`) when there is no script to do it in place.
pub const GO: &str = "ef-go";
pub const ACTION: &str = "ef-action";
/// The prefix of the hidden field that says how many rows a table was drawn with
/// (`ef-rows:/members`).
pub const ROWS: &str = "ef-rows:";
/// The hidden field that says which page of a long form is shown (the portal's page, and the
/// page the app starts on when it takes the drawn form over).
pub const PAGE: &str = "ef-page";
/// The cookie in which the citizen app keeps the language chosen (`vi`, `en`), so that the
/// portal draws the next form page in it.
pub const LANG_COOKIE: &str = "eform-lang";

/// The cookie that keeps `lang` as the citizen's choice, as the portal sets it and the
/// runtimes write it (a preference, not a secret).
pub fn lang_cookie(lang: form_core::Lang) -> String {
    format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.tag()
    )
}

/// The whole `<form>`: title, error summary, every page (the current one shown), the buttons.
pub fn form(page: &Page) -> String {
    let evaluation = page.form.evaluate(page.data, page.today);
    form_with(page, &evaluation)
}

/// `html`, a drawing of this crate, with every submit button disabled: for a drawing put in a
/// page before any script can keep it from being sent (a host's server includes it in an
/// `<e-form>` as a declarative shadow root). With its default button disabled, Enter in a field
/// sends nothing either (HTML's implicit submission); the runtime's drawing enables them.
pub fn submits_disabled(html: &str) -> String {
    // Every submit button this crate draws opens so; text from a definition or the data is
    // escaped, so it cannot.
    html.replace(
        "<button type=\"submit\"",
        "<button type=\"submit\" disabled",
    )
}

/// [`form`], with the rules' outcome for `page.data` already at hand (the runtime's
/// `FormState` keeps it up to date).
pub fn form_with(page: &Page, evaluation: &Evaluation) -> String {
    let mut out = String::new();
    form_summarised_into(&mut out, page, evaluation, page.errors, Ui::SummaryTitle);
    out
}

/// [`form_with`], appended to `out`, its error summary listing `summary` under `title` rather
/// than every error shown inline (the runtime lists a page's errors once the citizen tried to
/// leave it, or what the portal refused, while a field left with an error shows it at once).
/// Drawn into one string with no copy of it: the runtime's memory peaks while it draws.
pub fn form_summarised_into(
    out: &mut String,
    page: &Page,
    evaluation: &Evaluation,
    summary: &[Diagnostic],
    title: Ui,
) {
    let definition = page.form.definition();
    let pages = definition.pages.len();
    let lang = page.lang;
    let _ = write!(
        out,
        "<form class=\"ef-form\" novalidate lang=\"{}\"",
        lang.tag()
    );
    if let Some(action) = page.action {
        let _ = write!(
            out,
            " method=\"post\" action=\"{}\" enctype=\"application/x-www-form-urlencoded\"",
            esc(action)
        );
    }
    out.push('>');
    for (name, value) in page.hidden {
        let _ = write!(
            out,
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            esc(name),
            esc(value)
        );
    }
    // Enter in a field sends the form with its first submit button: the page's own action
    // (Continue, or Submit on the last page), not a table's row button or Back.
    let current = page.current.min(pages.saturating_sub(1));
    if pages > 1 && current + 1 < pages {
        let _ = write!(
            out,
            "<button type=\"submit\" class=\"ef-visually-hidden\" tabindex=\"-1\" aria-hidden=\"true\" name=\"{GO}\" value=\"{}\"></button>",
            current + 1
        );
    } else {
        out.push_str("<button type=\"submit\" class=\"ef-visually-hidden\" tabindex=\"-1\" aria-hidden=\"true\"></button>");
    }
    let _ = write!(
        out,
        "<h1 class=\"ef-title\" tabindex=\"-1\">{}</h1>",
        esc(definition.title.get(lang))
    );
    if let Some(d) = &definition.description {
        let _ = write!(out, "<p class=\"ef-lead\">{}</p>", esc(d.get(lang)));
    }
    // The summary links to the fields' ids: it is drawn after them, in its place before them.
    let summary_at = out.len();
    let mut r = Renderer {
        page,
        evaluation,
        ids: HashSet::new(),
        out: std::mem::take(out),
    };
    for (pi, p) in definition.pages.iter().enumerate() {
        r.page_html(pi, p, pages);
    }
    let drawn = r.summary(summary, title);
    *out = r.out;
    out.insert_str(summary_at, &drawn);
    out.push_str("<div class=\"ef-actions\">");
    if pages > 1 && current > 0 {
        let _ = write!(
            out,
            "<button type=\"submit\" class=\"ef-button ef-button--secondary\" name=\"{GO}\" value=\"{}\">{}</button>",
            current - 1,
            esc(&Ui::Back.get(lang))
        );
    }
    if pages > 1 && current + 1 < pages {
        let _ = write!(
            out,
            "<button type=\"submit\" class=\"ef-button\" name=\"{GO}\" value=\"{}\">{}</button>",
            current + 1,
            esc(&Ui::Continue.get(lang))
        );
    } else {
        let _ = write!(
            out,
            "<button type=\"submit\" class=\"ef-button\">{}</button>",
            esc(&page.submit.get(lang))
        );
    }
    out.push_str("</div></form>");
}

/// The attribute that marks the element of each item of a section (a field, a table, an address,
/// a file) with the item's data pointer: the runtime finds there the part of the page to draw
/// again when that item's state changes ([`item`]).
pub const ITEM: &str = "data-ef-item";

/// On an item drawn by the runtime ([`Page::live`]): a digest of the item's whole drawing, so
/// that the runtime, drawing the form again, leaves alone an item drawn as it already is.
pub const DRAWN: &str = "data-ef-drawn";

/// FNV-1a, 64 bits: the digest [`DRAWN`] carries. Not a defence against anyone: two drawings
/// of one item that differ and still agree on it would leave the older on screen.
fn digest(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The item of a section whose data pointer is `ptr` (a field, a whole table, an address, a
/// file), drawn as [`form`] draws it; `None` when no item of a section has that pointer.
pub fn item(page: &Page, evaluation: &Evaluation, ptr: &str) -> Option<String> {
    let item = page
        .form
        .definition()
        .pages
        .iter()
        .flat_map(|p| &p.sections)
        .flat_map(|s| &s.items)
        .find(|i| i.pointer.as_deref() == Some(ptr))?;
    let mut r = Renderer {
        page,
        evaluation,
        ids: HashSet::new(),
        out: String::new(),
    };
    r.item(item);
    Some(r.out)
}

/// One field of a table row (its cells), as [`form`] draws it: for the runtime to add a row.
pub fn row(page: &Page, table: &Item, table_ptr: &str, index: usize, rows: usize) -> String {
    let evaluation = page.form.evaluate(page.data, page.today);
    let mut r = Renderer {
        page,
        evaluation: &evaluation,
        ids: HashSet::new(),
        out: String::new(),
    };
    r.table_row(table, table_ptr, index, rows);
    r.out
}

struct Renderer<'a> {
    page: &'a Page<'a>,
    evaluation: &'a Evaluation,
    /// The element ids drawn, for the summary's links.
    ids: HashSet<String>,
    out: String,
}

impl Renderer<'_> {
    fn lang(&self) -> Lang {
        self.page.lang
    }

    fn text(&self, t: &Text) -> String {
        esc(t.get(self.lang()))
    }

    fn ui(&self, u: Ui) -> String {
        esc(&u.get(self.lang()))
    }

    fn value(&self, ptr: &str) -> Option<&Value> {
        // Computed fields show the rules' result; the others what was entered.
        if self.page.form.field_for(ptr).is_some_and(|f| {
            self.page
                .form
                .item_for(&f.pointer)
                .is_some_and(|i| i.compute.is_some())
        }) {
            return pointer::get(&self.evaluation.data, ptr);
        }
        pointer::get(self.page.data, ptr)
    }

    fn hidden(&self, ptr: &str) -> bool {
        self.evaluation.hidden.contains(ptr)
    }

    fn read_only(&self, ptr: &str) -> bool {
        self.evaluation.read_only.contains(ptr) || self.page.locked.contains(ptr)
    }

    fn required(&self, ptr: &str) -> bool {
        self.page.form.field_for(ptr).is_some_and(|f| f.required)
            || self.evaluation.required.contains(ptr)
    }

    fn error(&self, ptr: &str) -> Option<String> {
        self.error_of(ptr, false)
    }

    /// The messages of the errors at `ptr` (`nested`: and below it, as a list of files' errors
    /// at each file).
    fn error_of(&self, ptr: &str, nested: bool) -> Option<String> {
        let messages: Vec<&str> = self
            .page
            .errors
            .iter()
            .filter(|d| d.pointer == ptr || (nested && form_core::pointer::inside(&d.pointer, ptr)))
            .map(|d| d.message.get(self.lang()))
            .collect();
        (!messages.is_empty()).then(|| messages.join(" "))
    }

    fn error_line(&mut self, ptr: &str, id: &str) -> bool {
        self.error_line_of(ptr, id, false)
    }

    fn error_line_of(&mut self, ptr: &str, id: &str, nested: bool) -> bool {
        let Some(message) = self.error_of(ptr, nested) else {
            return false;
        };
        let _ = write!(
            self.out,
            "<p class=\"ef-error\" id=\"{id}-error\"><span class=\"ef-visually-hidden\">{} </span>{}</p>",
            self.ui(Ui::ErrorPrefix),
            esc(&message)
        );
        true
    }

    fn required_mark(&self, on: bool) -> String {
        if on {
            format!(
                "<span class=\"ef-required\"> {}</span>",
                self.ui(Ui::Required)
            )
        } else {
            String::new()
        }
    }

    fn item_attr(ptr: &str) -> String {
        format!(" {ITEM}=\"{}\"", esc(ptr))
    }

    fn hidden_attr(on: bool) -> &'static str {
        if on { " hidden" } else { "" }
    }

    fn field_class(&self, has_error: bool, cell: bool) -> String {
        format!(
            "ef-field{}{}",
            if has_error { " ef-field--error" } else { "" },
            if cell { " ef-field--cell" } else { "" }
        )
    }

    fn page_html(&mut self, pi: usize, p: &form_core::Page, pages: usize) {
        let paged = pages > 1;
        let off = paged && pi != self.page.current.min(pages - 1);
        let _ = write!(
            self.out,
            "<div class=\"{}\">",
            if off {
                "ef-page ef-page--off"
            } else {
                "ef-page"
            }
        );
        if paged {
            let progress = Ui::Step
                .get(self.lang())
                .replacen("{}", &(pi + 1).to_string(), 1)
                .replacen("{}", &pages.to_string(), 1);
            let _ = write!(
                self.out,
                "<div class=\"ef-page__head\"><p class=\"ef-progress\">{}</p><h2 class=\"ef-page__title\" id=\"ef-page-{pi}\" tabindex=\"-1\">{}</h2></div>",
                esc(&progress),
                self.text(&p.title)
            );
        }
        for s in &p.sections {
            let pointers: Vec<String> = s.items.iter().filter_map(|i| i.pointer.clone()).collect();
            let hidden = !pointers.is_empty() && pointers.iter().all(|ptr| self.hidden(ptr));
            let labelled = if s.title.is_some() {
                format!(" aria-labelledby=\"s-{}\"", esc(&s.id))
            } else {
                String::new()
            };
            let _ = write!(
                self.out,
                "<section class=\"ef-section\"{}{labelled}>",
                Self::hidden_attr(hidden)
            );
            if let Some(t) = &s.title {
                let _ = write!(
                    self.out,
                    "<h2 class=\"ef-section__title\" id=\"s-{}\">{}</h2>",
                    esc(&s.id),
                    self.text(t)
                );
            }
            if let Some(h) = &s.help {
                let _ = write!(self.out, "<p class=\"ef-hint\">{}</p>", self.text(h));
            }
            for item in &s.items {
                self.item(item);
            }
            self.out.push_str("</section>");
        }
        self.out.push_str("</div>");
    }

    fn item(&mut self, item: &Item) {
        let start = self.out.len();
        self.item_inner(item);
        if self.page.live.is_some() {
            self.sign(start);
        }
    }

    /// Adds [`DRAWN`] to the opening tag of the item drawn from `start`, if it has [`ITEM`].
    fn sign(&mut self, start: usize) {
        let drawn = &self.out[start..];
        let Some(end) = drawn.find('>') else {
            return;
        };
        if !drawn[..end].contains(ITEM) {
            return;
        }
        let mark = format!(" {DRAWN}=\"{:016x}\"", digest(drawn.as_bytes()));
        self.out.insert_str(start + end, &mark);
    }

    fn item_inner(&mut self, item: &Item) {
        match (item.widget, &item.pointer) {
            (Widget::Static, _) => {
                let text = item.text.as_ref().map(|t| self.text(t)).unwrap_or_default();
                let _ = write!(self.out, "<p class=\"ef-static\">{text}</p>");
            }
            (Widget::Table, Some(ptr)) => self.table(item, ptr),
            (Widget::Address, Some(ptr)) => self.address(item, ptr),
            (Widget::File, Some(ptr)) => self.file(item, ptr),
            (_, Some(ptr)) => self.field(item, ptr, None),
            (_, None) => {}
        }
    }

    /// The `aria-describedby` of a field: its help, its format hint, its error.
    fn described(ids: &[Option<String>]) -> String {
        let list: Vec<&str> = ids.iter().flatten().map(String::as_str).collect();
        if list.is_empty() {
            String::new()
        } else {
            format!(" aria-describedby=\"{}\"", list.join(" "))
        }
    }

    /// Whether a field has a help line: its help (not in a table row) or where its value came
    /// from.
    fn has_help(&self, item: &Item, ptr: &str, row: Option<usize>) -> bool {
        row.is_none() && (item.help.is_some() || self.page.notes.contains_key(ptr))
    }

    /// The help line (and where a prefilled value came from), with its id, if there is one.
    fn help(&mut self, item: &Item, ptr: &str, id: &str, row: Option<usize>) -> Option<String> {
        if !self.has_help(item, ptr, row) {
            return None;
        }
        let help = item.help.as_ref().map(|h| self.text(h));
        let note = self.page.notes.get(ptr).map(|n| esc(n));
        let help_id = format!("{id}-help");
        let _ = write!(self.out, "<p class=\"ef-hint\" id=\"{help_id}\">");
        if let Some(h) = help {
            let _ = write!(self.out, "{h} ");
        }
        if let Some(n) = note {
            let _ = write!(
                self.out,
                "<span class=\"ef-provenance\" data-testid=\"source\">{n}</span>"
            );
        }
        self.out.push_str("</p>");
        Some(help_id)
    }

    /// A disabled control is not sent with the form: its value goes in a hidden input.
    fn carry(&mut self, ptr: &str, value: &str) {
        let _ = write!(
            self.out,
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            esc(ptr),
            esc(value)
        );
    }

    fn field(&mut self, item: &Item, ptr: &str, row: Option<usize>) {
        let lang = self.lang();
        let id = id_for(ptr);
        self.ids.insert(id.clone());
        let label = item.label.as_ref().map(|l| l.get(lang)).unwrap_or("");
        let label = match row {
            Some(i) => format!(
                "{label} ({} {})",
                form_core::lower(&Ui::Row.get(lang)),
                i + 1
            ),
            None => label.to_owned(),
        };
        let required = self.required(ptr);
        let read_only = self.read_only(ptr);
        let has_error = self.error(ptr).is_some();
        let mark = self.required_mark(required && row.is_none());
        let invalid = if has_error {
            " aria-invalid=\"true\""
        } else {
            ""
        };
        let aria_required = if required {
            " aria-required=\"true\""
        } else {
            ""
        };
        let _ = write!(
            self.out,
            "<div class=\"{}\"{}{}>",
            self.field_class(has_error, row.is_some()),
            if row.is_none() {
                Self::item_attr(ptr)
            } else {
                String::new()
            },
            Self::hidden_attr(self.hidden(ptr))
        );
        let value = self.value(ptr).cloned();
        match item.widget {
            Widget::Radio | Widget::MultiSelect => {
                let multi = item.widget == Widget::MultiSelect;
                let current: Vec<String> = match &value {
                    Some(Value::String(s)) => vec![s.clone()],
                    Some(Value::Array(a)) => a
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                    _ => Vec::new(),
                };
                let help_id = self.has_help(item, ptr, row).then(|| format!("{id}-help"));
                let error_id = has_error.then(|| format!("{id}-error"));
                let _ = write!(
                    self.out,
                    "<fieldset class=\"ef-fieldset\"{}{invalid}><legend class=\"ef-label\">{}{mark}</legend>",
                    Self::described(&[help_id, error_id]),
                    esc(&label)
                );
                self.help(item, ptr, &id, row);
                self.error_line(ptr, &id);
                let _ = write!(
                    self.out,
                    "<div class=\"{}\">",
                    if multi {
                        "ef-choices ef-choices--stacked"
                    } else {
                        "ef-choices"
                    }
                );
                let (kind, class) = if multi {
                    ("checkbox", "ef-checkbox")
                } else {
                    ("radio", "ef-radio")
                };
                for (i, o) in item.options.iter().enumerate() {
                    let opt = option_id(&id, i);
                    let checked = current.contains(&o.value);
                    let _ = write!(
                        self.out,
                        "<div class=\"ef-choice\"><input type=\"{kind}\" class=\"{class}\"{} id=\"{opt}\" name=\"{}\" value=\"{}\"{}><label for=\"{opt}\">{}</label></div>",
                        if read_only { " disabled" } else { "" },
                        esc(ptr),
                        esc(&o.value),
                        if checked { " checked" } else { "" },
                        esc(o.label.get(lang))
                    );
                }
                self.out.push_str("</div></fieldset>");
                if read_only {
                    for v in &current {
                        self.carry(ptr, v);
                    }
                }
            }
            Widget::Checkbox => {
                let checked = value == Some(Value::Bool(true));
                let help_id = self.has_help(item, ptr, row).then(|| format!("{id}-help"));
                let error_id = has_error.then(|| format!("{id}-error"));
                self.error_line(ptr, &id);
                let _ = write!(
                    self.out,
                    "<div class=\"ef-choice\"><input type=\"checkbox\" class=\"ef-checkbox\"{} id=\"{id}\" name=\"{}\" value=\"true\"{}{}{invalid}><label for=\"{id}\" class=\"ef-label\">{}{mark}</label></div>",
                    if read_only { " disabled" } else { "" },
                    esc(ptr),
                    if checked { " checked" } else { "" },
                    Self::described(&[help_id, error_id]),
                    esc(&label)
                );
                self.help(item, ptr, &id, row);
                if read_only && checked {
                    self.carry(ptr, "true");
                }
            }
            Widget::Select => {
                let current = value.as_ref().and_then(Value::as_str).map(str::to_owned);
                let _ = write!(
                    self.out,
                    "<label for=\"{id}\" class=\"ef-label\">{}{mark}</label>",
                    esc(&label)
                );
                let help = self.help(item, ptr, &id, row);
                let has = self.error_line(ptr, &id);
                let _ = write!(
                    self.out,
                    "<select class=\"ef-select\"{} id=\"{id}\" name=\"{}\"{}{invalid}{aria_required}><option value=\"\">{}</option>",
                    if read_only { " disabled" } else { "" },
                    esc(ptr),
                    Self::described(&[help, has.then(|| format!("{id}-error"))]),
                    self.ui(Ui::ChooseOne)
                );
                for o in &item.options {
                    let selected = current.as_deref() == Some(o.value.as_str());
                    let _ = write!(
                        self.out,
                        "<option value=\"{}\"{}>{}</option>",
                        esc(&o.value),
                        if selected { " selected" } else { "" },
                        esc(o.label.get(lang))
                    );
                }
                self.out.push_str("</select>");
                if let (true, Some(v)) = (read_only, &current) {
                    self.carry(ptr, v);
                }
            }
            widget => {
                let _ = write!(
                    self.out,
                    "<label for=\"{id}\" class=\"ef-label\">{}{mark}</label>",
                    esc(&label)
                );
                let help = self.help(item, ptr, &id, row);
                let hint = match widget {
                    Widget::Date => Some(Ui::DateHint),
                    Widget::Month => Some(Ui::MonthHint),
                    Widget::Year => Some(Ui::YearHint),
                    _ => None,
                }
                .filter(|_| row.is_none());
                let format_id = hint.map(|h| {
                    let _ = write!(
                        self.out,
                        "<p class=\"ef-hint\" id=\"{id}-format\">{}</p>",
                        self.ui(h)
                    );
                    format!("{id}-format")
                });
                let has = self.error_line(ptr, &id);
                let described =
                    Self::described(&[format_id, help, has.then(|| format!("{id}-error"))]);
                let shown = shown_value(widget, value.as_ref());
                let readonly = if read_only { " readonly" } else { "" };
                if widget == Widget::Textarea {
                    let _ = write!(
                        self.out,
                        "<textarea class=\"ef-textarea\"{readonly} id=\"{id}\" name=\"{}\" rows=\"5\"{described}{invalid}{aria_required}>{}</textarea>",
                        esc(ptr),
                        esc(&shown)
                    );
                } else {
                    let (kind, mode) = match widget {
                        Widget::Email => ("email", None),
                        Widget::Phone => ("tel", None),
                        Widget::Number => ("text", Some("decimal")),
                        Widget::IdNumber | Widget::Date | Widget::Month | Widget::Year => {
                            ("text", Some("numeric"))
                        }
                        _ => ("text", None),
                    };
                    let mode = mode
                        .map(|m| format!(" inputmode=\"{m}\""))
                        .unwrap_or_default();
                    let autocomplete = item
                        .autocomplete
                        .as_ref()
                        .map(|a| format!(" autocomplete=\"{}\"", esc(a)))
                        .unwrap_or_default();
                    let spellcheck = if matches!(widget, Widget::Text | Widget::Textarea) {
                        ""
                    } else {
                        " spellcheck=\"false\""
                    };
                    let _ = write!(
                        self.out,
                        "<input type=\"{kind}\" class=\"{}\"{readonly} id=\"{id}\" name=\"{}\"{mode}{autocomplete}{spellcheck}{described}{invalid}{aria_required} value=\"{}\">",
                        input_class(widget),
                        esc(ptr),
                        esc(&shown)
                    );
                }
            }
        }
        if row.is_none() && self.page.locked.contains(ptr) {
            self.report(ptr, &id);
        }
        self.out.push_str("</div>");
    }

    /// "Report a mistake" under a field locked to a verified value: the register's keeper
    /// corrects it, so the citizen says what is wrong (the textarea has no name: it is not part
    /// of the form's data).
    fn report(&mut self, ptr: &str, id: &str) {
        let Some(reports) = self.page.live.and_then(|l| l.reports.as_ref()) else {
            return;
        };
        let lang = self.lang();
        let (status, sent) = reports
            .get(ptr)
            .map_or(("", false), |(t, sent)| (t.as_str(), *sent));
        let disabled = if sent { " disabled" } else { "" };
        let _ = write!(
            self.out,
            "<details class=\"ef-report\" data-testid=\"report-mistake\" data-ef-report=\"{}\"><summary>{}</summary><div class=\"ef-report__body\"><p class=\"ef-hint\">{}</p><label class=\"ef-label\" for=\"{id}-report\">{}</label><textarea class=\"ef-input\" id=\"{id}-report\" rows=\"3\" maxlength=\"2000\"{disabled}></textarea><button type=\"button\" class=\"ef-button ef-button--secondary\" data-testid=\"send-report\" data-ef-send-report{disabled}>{}</button><p role=\"status\" class=\"ef-report__state\">{}</p></div></details>",
            esc(ptr),
            esc(&Ui::ReportMistake.get(lang)),
            esc(&Ui::ReportHint.get(lang)),
            esc(&Ui::ReportWhat.get(lang)),
            esc(&Ui::ReportSend.get(lang)),
            esc(status)
        );
    }

    /// A repeatable group: one row per element, each with its cells and the buttons that move
    /// or remove it, then a button that adds a row (without a script, each sends the form).
    fn table(&mut self, item: &Item, ptr: &str) {
        let id = id_for(ptr);
        self.ids.insert(id.clone());
        let rows = pointer::get(self.page.data, ptr)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let label = item
            .label
            .as_ref()
            .map(|l| self.text(l))
            .unwrap_or_default();
        let _ = write!(
            self.out,
            "<div class=\"ef-field ef-table-field\"{}{}><h3 class=\"ef-label\" id=\"{id}-caption\">{label}</h3>",
            Self::item_attr(ptr),
            Self::hidden_attr(self.hidden(ptr))
        );
        if let Some(h) = &item.help {
            let _ = write!(self.out, "<p class=\"ef-hint\">{}</p>", self.text(h));
        }
        let has = self.error_line(ptr, &id);
        if rows == 0 {
            let _ = write!(self.out, "<p class=\"ef-hint\">{}</p>", self.ui(Ui::NoRows));
        }
        // How many rows were drawn: a row of empty choices sends nothing else.
        let _ = write!(
            self.out,
            "<input type=\"hidden\" name=\"{ROWS}{}\" value=\"{rows}\"><div class=\"ef-rows\" role=\"list\" aria-labelledby=\"{id}-caption\"{}>",
            esc(ptr),
            Self::described(&[has.then(|| format!("{id}-error"))])
        );
        for i in 0..rows {
            self.table_row(item, ptr, i, rows);
        }
        let _ = write!(
            self.out,
            "</div><button type=\"submit\" class=\"ef-button ef-button--secondary\" id=\"{id}\" name=\"{ACTION}\" value=\"add:{}\" formnovalidate>{} — {label}</button></div>",
            esc(ptr),
            self.ui(Ui::AddRow)
        );
    }

    fn table_row(&mut self, item: &Item, ptr: &str, i: usize, rows: usize) {
        let row_ptr = pointer::push_index(ptr, i);
        let lang = self.lang();
        let n = i + 1;
        let button = |action: &str, text: Ui, disabled: bool, id: Option<String>| {
            format!(
                "<button type=\"submit\" class=\"ef-button ef-button--secondary ef-button--small\"{} name=\"{ACTION}\" value=\"{action}:{}\"{} formnovalidate>{} {n}</button>",
                id.map(|id| format!(" id=\"{id}\"")).unwrap_or_default(),
                esc(&row_ptr),
                if disabled { " disabled" } else { "" },
                esc(&text.get(lang))
            )
        };
        let id = id_for(ptr);
        let _ = write!(
            self.out,
            "<div class=\"ef-row\" role=\"listitem\"><div class=\"ef-row__head\"><span class=\"ef-row__title\">{} {n}</span><span class=\"ef-row__actions\">{}{}{}</span></div><div class=\"ef-row__cells\">",
            self.ui(Ui::Row),
            button("up", Ui::MoveUp, i == 0, Some(format!("{id}-up-{i}"))),
            button(
                "down",
                Ui::MoveDown,
                i + 1 == rows,
                Some(format!("{id}-down-{i}"))
            ),
            button("remove", Ui::RemoveRow, false, None),
        );
        for col in &item.columns {
            if let Some(p) = &col.pointer {
                self.field(col, &format!("{row_ptr}{p}"), Some(i));
            }
        }
        self.out.push_str("</div></div>");
    }

    /// An address, as its mode asks. Without a script the communes offered are those of the
    /// province already chosen (the page sent back after choosing one offers them).
    fn address(&mut self, item: &Item, ptr: &str) {
        let lang = self.lang();
        let id = id_for(ptr);
        let label = item
            .label
            .as_ref()
            .map(|l| self.text(l))
            .unwrap_or_default();
        let (parts, _) = item.mode.parts();
        let part_ptrs: Vec<String> = parts.iter().map(|p| format!("{ptr}/{p}")).collect();
        let required =
            self.required(ptr) || self.page.form.schema().resolve(&part_ptrs[0]).is_none();
        let read_only = self.read_only(ptr);
        let any_error = part_ptrs.iter().any(|p| self.error(p).is_some());
        let mark = self.required_mark(required);
        let aria_required = if required {
            " aria-required=\"true\""
        } else {
            ""
        };
        let disabled = if read_only { " disabled" } else { "" };
        let get = |name: &str| {
            pointer::get(self.page.data, &format!("{ptr}/{name}"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let _ = write!(
            self.out,
            "<div class=\"{}\"{}{}>",
            self.field_class(any_error, false),
            Self::item_attr(ptr),
            Self::hidden_attr(self.hidden(ptr))
        );
        let units = self.page.form.admin_units();
        let units = units.as_deref();
        let provinces: Vec<(String, String)> = units
            .map(|u| {
                u.provinces()
                    .iter()
                    .map(|p| (p.code.clone(), p.name.get(lang).to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let options = |list: &[(String, String)], current: Option<&str>, choose: Ui| {
            let mut s = format!("<option value=\"\">{}</option>", esc(&choose.get(lang)));
            for (code, name) in list {
                let _ = write!(
                    s,
                    "<option value=\"{}\"{}>{}</option>",
                    esc(code),
                    if current == Some(code.as_str()) {
                        " selected"
                    } else {
                        ""
                    },
                    esc(name)
                );
            }
            s
        };
        if item.mode == AddressMode::Province {
            let pid = id_for(&part_ptrs[0]);
            self.ids.insert(pid.clone());
            let _ = write!(
                self.out,
                "<label class=\"ef-label\" for=\"{pid}\">{label}{mark}</label>"
            );
            let help = self.help(item, ptr, &pid, None);
            let has = self.error_line(&part_ptrs[0], &pid);
            let current = get("province");
            let _ = write!(
                self.out,
                "<select class=\"ef-select\" id=\"{pid}\" name=\"{}\" autocomplete=\"address-level1\"{disabled}{aria_required}{}{}>{}</select></div>",
                esc(&part_ptrs[0]),
                if has { " aria-invalid=\"true\"" } else { "" },
                Self::described(&[help, has.then(|| format!("{pid}-error"))]),
                options(&provinces, current.as_deref(), Ui::ChooseProvince)
            );
            if let (true, Some(v)) = (read_only, current) {
                self.carry(&part_ptrs[0], &v);
            }
            return;
        }
        self.ids.insert(id.clone());
        let _ = write!(
            self.out,
            "<fieldset class=\"ef-fieldset ef-address\" id=\"{id}\"><legend class=\"ef-label\">{label}{mark}</legend>"
        );
        if let Some(h) = &item.help {
            let _ = write!(
                self.out,
                "<p class=\"ef-hint\" id=\"{id}-help\">{}</p>",
                self.text(h)
            );
        }
        for (part, part_ptr) in parts.iter().zip(&part_ptrs) {
            let pid = id_for(part_ptr);
            self.ids.insert(pid.clone());
            let sub = match *part {
                "province" => Ui::Province,
                "commune" => Ui::Commune,
                "street" => Ui::Street,
                "country" => Ui::Country,
                _ => Ui::AddressAbroad,
            };
            let _ = write!(
                self.out,
                "<div class=\"ef-address__part\"><label for=\"{pid}\" class=\"ef-sublabel\">{}</label>",
                self.ui(sub)
            );
            let current = get(part);
            let mut hint = None;
            if *part == "commune" && get("province").is_none() {
                let _ = write!(
                    self.out,
                    "<p class=\"ef-hint\" id=\"{pid}-hint\">{}</p>",
                    self.ui(Ui::ChooseProvinceFirst)
                );
                hint = Some(format!("{pid}-hint"));
            }
            // The runtime fetches a province's communes when it is chosen: on their way, or not
            // come (a "try again").
            let fetching = (*part == "commune")
                .then(|| get("province"))
                .flatten()
                .and_then(|code| Some((self.page.live?.communes.get(&code)?, code)));
            if let Some((status, code)) = fetching {
                let failed = matches!(status, Ui::CommunesFailed);
                let _ = write!(
                    self.out,
                    "<p class=\"ef-hint\" id=\"{pid}-hint\"{}>{}",
                    if failed { " role=\"alert\"" } else { "" },
                    self.ui(*status)
                );
                if failed {
                    let _ = write!(
                        self.out,
                        " <button type=\"button\" class=\"ef-button ef-button--secondary\" data-ef-communes=\"{}\">{}</button>",
                        esc(&code),
                        self.ui(Ui::TryAgain)
                    );
                }
                self.out.push_str("</p>");
                hint = Some(format!("{pid}-hint"));
            }
            let has = self.error_line(part_ptr, &pid);
            let attrs = format!(
                " id=\"{pid}\" name=\"{}\"{aria_required}{}{}",
                esc(part_ptr),
                if has { " aria-invalid=\"true\"" } else { "" },
                Self::described(&[hint, has.then(|| format!("{pid}-error"))])
            );
            match *part {
                "province" => {
                    let _ = write!(
                        self.out,
                        "<select class=\"ef-select\" autocomplete=\"address-level1\"{disabled}{attrs}>{}</select>",
                        options(&provinces, current.as_deref(), Ui::ChooseProvince)
                    );
                }
                "commune" => {
                    let communes: Vec<(String, String)> = get("province")
                        .and_then(|p| units?.province(&p))
                        .map(|p| {
                            p.communes
                                .iter()
                                .map(|c| (c.code.clone(), c.name.get(lang).to_owned()))
                                .collect()
                        })
                        .unwrap_or_default();
                    let _ = write!(
                        self.out,
                        "<select class=\"ef-select\" autocomplete=\"address-level2\"{}{attrs}>{}</select>",
                        if read_only || communes.is_empty() {
                            " disabled"
                        } else {
                            ""
                        },
                        options(&communes, current.as_deref(), Ui::ChooseCommune)
                    );
                }
                "country" => {
                    let countries: Vec<(String, String)> = form_core::countries::sorted(lang)
                        .into_iter()
                        .map(|c| (c.code.to_owned(), c.name().get(lang).to_owned()))
                        .collect();
                    let _ = write!(
                        self.out,
                        "<select class=\"ef-select\" autocomplete=\"country\"{disabled}{attrs}>{}</select>",
                        options(&countries, current.as_deref(), Ui::ChooseCountry)
                    );
                }
                "text" => {
                    let _ = write!(
                        self.out,
                        "<textarea class=\"ef-textarea\" rows=\"3\" autocomplete=\"street-address\"{}{attrs}>{}</textarea>",
                        if read_only { " readonly" } else { "" },
                        esc(current.as_deref().unwrap_or(""))
                    );
                }
                _ => {
                    let _ = write!(
                        self.out,
                        "<input type=\"text\" class=\"ef-input\" autocomplete=\"street-address\"{}{attrs} value=\"{}\">",
                        if read_only { " readonly" } else { "" },
                        esc(current.as_deref().unwrap_or(""))
                    );
                }
            }
            if let (true, Some(v), "province" | "commune" | "country") =
                (read_only, &current, *part)
            {
                self.carry(part_ptr, v);
            }
            self.out.push_str("</div>");
        }
        self.out.push_str("</fieldset></div>");
    }

    /// A file attachment: the input, and what is attached so far. Sending a file needs the
    /// runtime (it is uploaded before the dossier); without it the page says what is attached.
    fn file(&mut self, item: &Item, ptr: &str) {
        let lang = self.lang();
        let id = id_for(ptr);
        self.ids.insert(id.clone());
        let required = self.required(ptr);
        // A list of files: each file's error shows at the attachment.
        let has_error = self.error_of(ptr, true).is_some();
        let _ = write!(
            self.out,
            "<div class=\"{}\"{}{}><label for=\"{id}\" class=\"ef-label\">{}{}</label>",
            self.field_class(has_error, false),
            Self::item_attr(ptr),
            Self::hidden_attr(self.hidden(ptr)),
            item.label
                .as_ref()
                .map(|l| self.text(l))
                .unwrap_or_default(),
            self.required_mark(required)
        );
        let help = self.help(item, ptr, &id, None);
        let has = self.error_line_of(ptr, &id, true);
        let multiple = self
            .page
            .form
            .schema()
            .resolve(ptr)
            .is_some_and(|s| s.allows(form_core::schema::JsonType::Array));
        let accept = if item.accept.is_empty() {
            String::new()
        } else {
            format!(" accept=\"{}\"", esc(&item.accept.join(",")))
        };
        let _ = write!(
            self.out,
            "<input type=\"file\" class=\"ef-file\" id=\"{id}\"{}{accept}{}{}{}>",
            if multiple { " multiple" } else { "" },
            Self::described(&[
                help,
                has.then(|| format!("{id}-error")),
                Some(format!("{id}-status"))
            ]),
            if has { " aria-invalid=\"true\"" } else { "" },
            if required {
                " aria-required=\"true\""
            } else {
                ""
            }
        );
        // Each file as "name (size)".
        let describe = |f: &Value| {
            let name = f.get("name").and_then(Value::as_str)?;
            let size = f.get("size").and_then(Value::as_u64).unwrap_or(0);
            Some(format!("{name} ({})", form_core::human_size(size)))
        };
        let names: Vec<String> = match pointer::get(self.page.data, ptr) {
            Some(Value::Array(files)) => files.iter().filter_map(describe).collect(),
            Some(f) => describe(f).into_iter().collect(),
            None => Vec::new(),
        };
        let upload = self.page.live.and_then(|l| l.uploads.get(ptr));
        let status = match (names.is_empty(), upload) {
            (true, _) => Ui::NoFile.get(lang),
            (false, Some(u)) => format!(
                "{} {} — {}",
                Ui::FileChosen.get(lang),
                names.join(", "),
                u.get(lang)
            ),
            (false, None) => format!("{} {}", Ui::FileChosen.get(lang), names.join(", ")),
        };
        let _ = write!(
            self.out,
            "<p class=\"ef-file__status\" id=\"{id}-status\" aria-live=\"polite\">{}</p>",
            esc(&status)
        );
        // A file attached can be taken off again (by the runtime; without it, by picking
        // another).
        if self.page.live.is_some() && !names.is_empty() && !self.read_only(ptr) {
            let _ = write!(
                self.out,
                "<button type=\"button\" class=\"ef-button ef-button--secondary\" data-ef-clear=\"{}\">{}</button>",
                esc(ptr),
                esc(&Ui::RemoveFile.get(lang))
            );
        }
        self.out.push_str("</div>");
    }

    /// The error summary: one link per error shown, to the element that holds it (or the
    /// nearest one above), the field's label leading when the message does not name it.
    fn summary(&self, errors: &[Diagnostic], title: Ui) -> String {
        if errors.is_empty() {
            return String::new();
        }
        let lang = self.lang();
        let mut out = format!(
            "<div class=\"ef-summary\" role=\"alert\" tabindex=\"-1\" aria-labelledby=\"ef-summary-title\"><h2 class=\"ef-summary__title\" id=\"ef-summary-title\">{}</h2><ul class=\"ef-summary__list\">",
            self.ui(title)
        );
        for d in errors {
            let mut cur = d.pointer.as_str();
            let target = loop {
                let id = id_for(cur);
                if self.ids.contains(&id) {
                    break id;
                }
                match cur.rsplit_once('/') {
                    Some((head, _)) if !head.is_empty() => cur = head,
                    _ => break id_for(&d.pointer),
                }
            };
            let message = d.message.get(lang);
            let text = match self.page.form.field_for(&d.pointer) {
                Some(f)
                    if !form_core::lower(message)
                        .contains(&form_core::lower(f.label.get(lang))) =>
                {
                    format!("{}: {message}", f.label.get(lang))
                }
                _ => message.to_owned(),
            };
            let _ = write!(out, "<li><a href=\"#{target}\">{}</a></li>", esc(&text));
        }
        out.push_str("</ul></div>");
        out
    }
}
