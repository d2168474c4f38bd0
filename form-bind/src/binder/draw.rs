//! The binder's drawing: what shows (the errors inline and in the summary), the whole form
//! drawn by form-html and merged into the page, and the items a change touched drawn again
//! alone.

use super::{Inner, Outcome, SERVICES, css_string, keys};
use crate::{drafts, morph};
use form_core::{Changes, Diagnostic, Lang};
use form_html::site::Account;
use form_html::{ITEM, Live, Page, Ui, esc};
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use web_sys::Element;

/// About what a field takes drawn, a little over: 646 bytes each in the peers benchmark's
/// form of 1,000 fields (a tenth of them selects of 60 options).
const DRAWN_BYTES_PER_FIELD: usize = 768;

impl Inner {
    fn inline_errors(&self) -> Vec<Diagnostic> {
        let mut shown: Vec<Diagnostic> = self
            .state
            .validate_all()
            .iter()
            .filter(|d| self.shows(&d.pointer))
            .cloned()
            .collect();
        if let Some(r) = &self.refused {
            shown.extend(r.iter().cloned());
        }
        shown
    }

    /// The summary's entries and whether they are the portal's refusal.
    pub(super) fn summary(&self) -> (Vec<Diagnostic>, bool) {
        if let Some(r) = &self.refused {
            return (r.clone(), true);
        }
        let errors = self.state.validate_all();
        let list = if self.submitted {
            errors.to_vec()
        } else if self.attempted == Some(self.page) {
            errors
                .iter()
                .filter(|d| self.page_of(&d.pointer) == self.page)
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        (list, false)
    }

    pub(super) fn with_page<R>(&self, errors: &[Diagnostic], f: impl FnOnce(&Page) -> R) -> R {
        let lang = self.lang;
        // (Inserted one by one: collecting into a map would link a sort into the module.)
        let mut notes = BTreeMap::new();
        let mut live = Live::default();
        if SERVICES {
            for (ptr, p) in &self.provenance {
                let note = form_html::source_note(p, self.locked.contains(ptr), lang);
                notes.insert(ptr.clone(), note);
            }
            // Reports go to the data store, so only where there is one.
            if self.services.datastore("").is_some() {
                let mut reports = BTreeMap::new();
                for (ptr, (t, sent)) in &self.reports {
                    reports.insert(ptr.clone(), (t.get(lang).to_owned(), *sent));
                }
                live.reports = Some(reports);
            }
            live.uploads = self.uploading.clone();
        }
        for code in &self.communes_asked {
            live.communes.insert(code.clone(), Ui::CommunesLoading);
        }
        for code in &self.communes_failed {
            live.communes.insert(code.clone(), Ui::CommunesFailed);
        }
        let submit = match self.outcome {
            Outcome::Checking => Ui::Checking,
            Outcome::Sending(_) => Ui::Sending,
            _ if self.intake.is_some() => Ui::SubmitDossier,
            _ => Ui::Submit,
        };
        f(&Page {
            form: &self.form,
            data: self.state.data(),
            lang,
            today: self.today,
            errors,
            current: self.page,
            locked: &self.locked,
            notes: &notes,
            live: Some(&live),
            action: None,
            hidden: &[],
            submit,
        })
    }

    /// Draws everything again (a new page, the summary, the language, new data) into the page.
    pub(super) fn draw(&mut self) {
        let lang = self.lang;
        let t = |u: Ui| esc(&u.get(lang));
        let mut html = match &self.site {
            // The whole page, its header with the account and the language buttons.
            Some(site) => {
                let account = site.account.as_ref().map(|(name, official)| Account {
                    name,
                    official: *official,
                });
                form_html::site::open(lang, account.as_ref(), &site.here, true)
            }
            None => self.embed_bar(),
        };
        // The drawing is one string, handed to the DOM whole. Grown by doubling, its last
        // growth held the old and the new buffer at once (1.5 MiB for a 631 KiB drawing of
        // 1,000 fields): room for it is made once, as long as the last drawing or, the first
        // time, a guess from the fields' count.
        let expected = match self.drawn_len {
            0 => self.form.fields().len() * DRAWN_BYTES_PER_FIELD,
            n => n + n / 8,
        };
        html.reserve(expected);
        // Filed from the portal's page: its confirmation in place of the form, and the
        // question of keeping declared values over it.
        if let (Some(_), Outcome::Received(code, awaiting)) = (&self.site, &self.outcome) {
            let title = self.form.definition().title.get(lang);
            // (No way to the dossier's page without a code: an answer against the protocol.)
            html.push_str(&form_html::site::receipt(
                lang,
                title,
                code,
                *awaiting,
                !code.is_empty(),
            ));
            if SERVICES {
                html.push_str(&self.keep_html());
            }
            html.push_str(form_html::site::CLOSE);
            self.put(&html);
            self.open_dialog();
            return;
        }
        if let Some(at) = self.restored_at {
            let said = if self.from_portal {
                Ui::DraftResumed
            } else {
                Ui::DraftRestored
            };
            html.push_str(&format!(
                "<div class=\"ef-panel ef-draft\" role=\"status\" data-testid=\"draft-restored\"><p>{}</p><button type=\"button\" class=\"ef-button ef-button--secondary\" data-ef-start-again>{}</button></div>",
                esc(&said.get(lang).replace("{}", &drafts::saved_at_text(at))),
                t(Ui::StartAgain)
            ));
        }
        html.push_str(&self.carried_notice());
        if SERVICES {
            html.push_str(&self.notices());
        }
        let inline = self.inline_errors();
        let (summary, refused) = self.summary();
        let title = if refused {
            Ui::ServerDisagrees
        } else {
            Ui::SummaryTitle
        };
        let evaluation = self.state.evaluation();
        self.with_page(&inline, |p| {
            form_html::form_summarised_into(&mut html, p, evaluation, &summary, title);
        });
        html.push_str("<div class=\"ef-result\" tabindex=\"-1\" aria-live=\"polite\">");
        html.push_str(&self.outcome_html());
        html.push_str("</div>");
        if SERVICES {
            html.push_str(&self.keep_html());
        }
        html.push_str(if self.site.is_some() {
            form_html::site::CLOSE
        } else {
            "</div>"
        });
        self.put(&html);
        if self.outcome.busy()
            && let Ok(Some(b)) = self
                .root
                .query_selector(".ef-actions button[type=submit]:last-child")
        {
            let _ = b.set_attribute("disabled", "");
        }
        self.summary_drawn = (keys(&summary), refused);
        self.open_dialog();
    }

    /// The drawing `html` on the page: what changed of the last one.
    fn put(&mut self, html: &str) {
        self.drawn_len = html.len();
        match self.root.first_element_child() {
            Some(old) => {
                morph::morph_html(&old, html);
            }
            None => self.root.set_inner_html(html),
        }
    }

    /// An embedded form's start: its element and the language buttons above the form.
    fn embed_bar(&self) -> String {
        let lang = self.lang;
        let mut html = format!(
            "<div class=\"ef-embed\" lang=\"{}\"><div class=\"ef-embed__bar\"><div class=\"ef-lang\" role=\"group\" aria-label=\"{}\">",
            lang.tag(),
            esc(&Ui::LanguageSwitch.get(lang))
        );
        for (l, name) in [(Lang::Vi, "Tiếng Việt"), (Lang::En, "English")] {
            html.push_str(&format!(
                "<button type=\"button\" class=\"ef-lang__button\" lang=\"{0}\" data-ef-lang=\"{0}\" aria-pressed=\"{1}\">{name}</button>",
                l.tag(),
                l == lang
            ));
        }
        html.push_str("</div></div>");
        html
    }

    /// The notice of a draft carried over from an earlier version of the form, until read.
    pub(super) fn carried_notice(&self) -> String {
        let lang = self.lang;
        let mut html = String::new();
        if let Some(c) = &self.carried {
            html.push_str(&format!(
                "<div class=\"ef-panel ef-draft\" role=\"status\" data-testid=\"draft-carried\"><p>{}</p>",
                esc(&Ui::DraftCarried.get(lang).replace("{}", &c.from.to_string()))
            ));
            if !c.dropped.is_empty() {
                html.push_str(&format!(
                    "<p>{}</p><ul>",
                    esc(&Ui::CarriedDropped.get(lang))
                ));
                for (label, value) in &c.dropped {
                    let label = label
                        .as_ref()
                        .map(|l| format!("{}: ", l.get(lang)))
                        .unwrap_or_default();
                    html.push_str(&format!("<li>{}{}</li>", esc(&label), esc(value)));
                }
                html.push_str("</ul>");
            }
            html.push_str(&format!(
                "<button type=\"button\" class=\"ef-button ef-button--secondary\" data-testid=\"carried-read\" data-ef-carried-read>{}</button></div>",
                esc(&Ui::CarriedRead.get(lang))
            ));
        }
        html
    }

    /// Brings into the page what `changes` changed, and the item of `also` (the control the
    /// citizen used: an address's communes follow its province).
    pub(super) fn apply(&mut self, changes: &Changes, also: Option<&str>) {
        let (summary, refused) = self.summary();
        if (keys(&summary), refused) != self.summary_drawn {
            self.draw();
            return;
        }
        let mut items: Vec<String> = Vec::new();
        let touched = changes
            .values
            .iter()
            .map(|(p, _)| p)
            .chain(changes.hidden.iter().map(|(p, _)| p))
            .chain(changes.read_only.iter().map(|(p, _)| p))
            .chain(changes.required.iter().map(|(p, _)| p))
            .chain(changes.errors.iter().map(|(p, _)| p))
            .map(String::as_str)
            .chain(also);
        for ptr in touched {
            if let Some(item) = self.item_of(ptr)
                && !items.iter().any(|i| i == item)
            {
                items.push(item.to_owned());
            }
        }
        self.redraw_items(&items);
    }

    /// Draws these items of the sections again.
    pub(super) fn redraw_items(&self, items: &[String]) {
        let inline = self.inline_errors();
        let evaluation = self.state.evaluation();
        for item in items {
            let selector = format!("[{ITEM}=\"{}\"]", css_string(item));
            let Ok(Some(el)) = self.root.query_selector(&selector) else {
                continue;
            };
            let Some(html) = self.with_page(&inline, |p| form_html::item(p, evaluation, item))
            else {
                continue;
            };
            let el = morph::morph_html(&el, &html).unwrap_or(el);
            // A section shows while one of its items does.
            if let Some(section) = el.parent_element()
                && let Ok(list) = section.query_selector_all(&format!(":scope > [{ITEM}]"))
            {
                let all_hidden = list.length() > 0
                    && (0..list.length()).all(|i| {
                        list.item(i)
                            .and_then(|n| n.dyn_into::<Element>().ok())
                            .is_some_and(|e| e.has_attribute("hidden"))
                    });
                if all_hidden != section.has_attribute("hidden") {
                    let _ = if all_hidden {
                        section.set_attribute("hidden", "")
                    } else {
                        section.remove_attribute("hidden")
                    };
                }
            }
        }
    }
}
