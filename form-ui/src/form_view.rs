//! The form: title, error summary, pages of sections of widgets, and the submit button.

use crate::dom_id;
use crate::fetch;
use crate::i18n::Ui;
use crate::widgets;
use form_core::{Diagnostic, Evaluation, Form, Lang, Text, Ymd, pointer};
use leptos::prelude::*;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;

/// Shared state of one drawn form, passed to every widget through context.
#[derive(Clone, Copy)]
pub struct FormCtx {
    pub form: StoredValue<Arc<Form>>,
    pub lang: RwSignal<Lang>,
    /// The data as typed so far (empty inputs are absent).
    pub data: RwSignal<Value>,
    /// What the rules make of the current data: errors, hidden, read-only and computed fields.
    pub evaluation: Memo<Evaluation>,
    /// Every error of the current data, in reading order.
    pub errors: Memo<Vec<Diagnostic>>,
    /// Pointers whose errors are shown inline (the citizen has changed and left them).
    pub shown: RwSignal<HashSet<String>>,
    /// Whether the citizen has tried to submit (then every error shows).
    pub submitted: RwSignal<bool>,
}

impl FormCtx {
    /// Writes (or, for `None`, removes) the value at `ptr`.
    pub fn set(&self, ptr: &str, value: Option<Value>) {
        self.data.update(|d| match value {
            Some(v) => {
                pointer::set(d, ptr, v);
            }
            None => {
                pointer::remove(d, ptr);
            }
        });
    }

    /// Marks `ptr` as left by the citizen: its errors show from now on.
    pub fn touch(&self, ptr: &str) {
        if !self.shown.with_untracked(|s| s.contains(ptr)) {
            self.shown.update(|s| {
                s.insert(ptr.to_owned());
            });
        }
    }

    /// The message to show under the field at `ptr`, if any.
    pub fn error_at(&self, ptr: &str) -> Option<Text> {
        let visible = self.submitted.get() || self.shown.with(|s| s.contains(ptr));
        if !visible {
            return None;
        }
        self.errors.with(|errs| {
            errs.iter()
                .find(|e| e.pointer == ptr)
                .map(|e| e.message.clone())
        })
    }

    /// Whether a rule hides the field at `ptr`.
    pub fn hidden(&self, ptr: &str) -> bool {
        self.evaluation.with(|e| e.hidden.contains(ptr))
    }

    /// Whether the field at `ptr` cannot be changed (read-only rule or computed).
    pub fn read_only(&self, ptr: &str) -> bool {
        self.evaluation.with(|e| e.read_only.contains(ptr))
    }

    /// Whether a `requiredIf` rule makes the field at `ptr` required now.
    pub fn required_now(&self, ptr: &str) -> bool {
        self.evaluation.with(|e| e.required.contains(ptr))
    }

    /// The value at `ptr` after the rules ran (computed values included).
    pub fn computed(&self, ptr: &str) -> Option<Value> {
        self.evaluation
            .with(|e| pointer::get(&e.data, ptr).cloned())
    }

    pub fn text(&self, t: &Text) -> String {
        t.get(self.lang.get()).to_owned()
    }
}

/// Today's date on the citizen's device, for rules such as `age()`.
fn today() -> Ymd {
    let now = js_sys::Date::new_0();
    (
        now.get_full_year() as i32,
        now.get_month() + 1,
        now.get_date(),
    )
}

/// Where a submission stands.
#[derive(Clone, PartialEq)]
enum Outcome {
    Idle,
    Checking,
    Accepted,
    /// The portal disagreed: its diagnostics (data pointers).
    Refused(Vec<Diagnostic>),
    Failed,
}

/// Draws `form` and lets the citizen fill it in.
#[component]
pub fn FormView(
    /// The loaded form.
    form: Arc<Form>,
    /// The language to show; switching it keeps the data.
    lang: RwSignal<Lang>,
    /// Data to start from (a draft or prefill).
    #[prop(optional)]
    initial: Option<Value>,
    /// Where the portal re-checks data on submit (`POST`, JSON body); none: client-side only.
    #[prop(optional)]
    check_url: Option<String>,
) -> impl IntoView {
    let data = RwSignal::new(initial.unwrap_or_else(|| Value::Object(Default::default())));
    let stored = StoredValue::new(form.clone());
    let today = today();
    let evaluation = Memo::new(move |_| stored.with_value(|f| data.with(|d| f.evaluate(d, today))));
    let errors = Memo::new(move |_| evaluation.with(|e| e.errors.clone()));
    let ctx = FormCtx {
        form: stored,
        lang,
        data,
        evaluation,
        errors,
        shown: RwSignal::new(HashSet::new()),
        submitted: RwSignal::new(false),
    };
    provide_context(ctx);

    let outcome = RwSignal::new(Outcome::Idle);
    let summary_ref = NodeRef::<leptos::html::Div>::new();
    let result_ref = NodeRef::<leptos::html::Div>::new();
    let focus_later = move |target: NodeRef<leptos::html::Div>| {
        request_animation_frame(move || {
            if let Some(el) = target.get_untracked() {
                let _ = el.focus();
            }
        });
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        ctx.submitted.set(true);
        if !ctx.errors.with_untracked(Vec::is_empty) {
            outcome.set(Outcome::Idle);
            focus_later(summary_ref);
            return;
        }
        let Some(url) = check_url.clone() else {
            outcome.set(Outcome::Accepted);
            focus_later(result_ref);
            return;
        };
        outcome.set(Outcome::Checking);
        let body = ctx.data.with_untracked(|d| d.to_string());
        leptos::task::spawn_local(async move {
            let next = match fetch::request(&url, Some(&body)).await {
                Ok(a) if a.status == 200 => Outcome::Accepted,
                Ok(a) if a.status == 422 => {
                    let diags = serde_json::from_str::<Value>(&a.body)
                        .ok()
                        .and_then(|v| {
                            serde_json::from_value::<Vec<Diagnostic>>(v["diagnostics"].clone()).ok()
                        })
                        .unwrap_or_default();
                    Outcome::Refused(diags)
                }
                _ => Outcome::Failed,
            };
            let refused = matches!(next, Outcome::Refused(_));
            outcome.set(next);
            focus_later(if refused { summary_ref } else { result_ref });
        });
    };

    let definition = form.definition();
    let title = definition.title.clone();
    let description = definition.description.clone();
    let pages = definition.pages.clone();

    // The summary lists the client's errors, or what the portal refused.
    let summary_entries = move || -> Vec<Diagnostic> {
        match outcome.get() {
            Outcome::Refused(d) => d,
            _ if ctx.submitted.get() => ctx.errors.get(),
            _ => Vec::new(),
        }
    };

    view! {
        <form class="ef-form" novalidate=true on:submit=on_submit lang=move || lang.get().tag()>
            <h1 class="ef-title">{move || ctx.text(&title)}</h1>
            {description.map(|d| view! { <p class="ef-lead">{move || ctx.text(&d)}</p> })}
            <Show when=move || !summary_entries().is_empty()>
                <div class="ef-summary" role="alert" tabindex="-1" node_ref=summary_ref aria-labelledby="ef-summary-title">
                    <h2 class="ef-summary__title" id="ef-summary-title">
                        {move || match outcome.get() {
                            Outcome::Refused(_) => Ui::ServerDisagrees.get(lang.get()),
                            _ => Ui::SummaryTitle.get(lang.get()),
                        }}
                    </h2>
                    <ul class="ef-summary__list">
                        {move || summary_entries().into_iter().map(|d| summary_entry(ctx, d)).collect_view()}
                    </ul>
                </div>
            </Show>
            {pages
                .into_iter()
                .map(|page| {
                    view! {
                        <div class="ef-page">
                            {page
                                .sections
                                .into_iter()
                                .map(|section| {
                                    let heading_id = format!("s-{}", section.id);
                                    let title = section.title.clone();
                                    let help = section.help.clone();
                                    // A section whose rule hides it hides with its heading.
                                    let pointers: Vec<String> = if section.visible_if.is_some() {
                                        section.items.iter().filter_map(|i| i.pointer.clone()).collect()
                                    } else {
                                        Vec::new()
                                    };
                                    let hidden = move || !pointers.is_empty() && pointers.iter().all(|p| ctx.hidden(p));
                                    view! {
                                        <section class="ef-section" hidden=hidden aria-labelledby=heading_id.clone()>
                                            {title.map(|t| view! { <h2 class="ef-section__title" id=heading_id.clone()>{move || ctx.text(&t)}</h2> })}
                                            {help.map(|h| view! { <p class="ef-hint">{move || ctx.text(&h)}</p> })}
                                            {section.items.iter().map(|item| widgets::item(ctx, item)).collect_view()}
                                        </section>
                                    }
                                })
                                .collect_view()}
                        </div>
                    }
                })
                .collect_view()}
            <div class="ef-actions">
                <button type="submit" class="ef-button" disabled=move || outcome.get() == Outcome::Checking>
                    {move || if outcome.get() == Outcome::Checking { Ui::Checking.get(lang.get()) } else { Ui::Submit.get(lang.get()) }}
                </button>
            </div>
            <div class="ef-result" tabindex="-1" node_ref=result_ref aria-live="polite">
                {move || match outcome.get() {
                    Outcome::Accepted => Some(view! {
                        <div class="ef-panel ef-panel--ok" data-testid="accepted">
                            <h2>{Ui::CheckedTitle.get(lang.get())}</h2>
                            <p>{Ui::CheckedBody.get(lang.get())}</p>
                        </div>
                    }.into_any()),
                    Outcome::Failed => Some(view! {
                        <div class="ef-panel ef-panel--warn" role="alert">
                            <p>{Ui::NetworkError.get(lang.get())}</p>
                        </div>
                    }.into_any()),
                    _ => None,
                }}
            </div>
        </form>
    }
}

/// One entry of the error summary: a link that moves focus to the field.
fn summary_entry(ctx: FormCtx, d: Diagnostic) -> impl IntoView {
    let label = ctx
        .form
        .with_value(|f| f.field_for(&d.pointer).map(|field| field.label.clone()));
    let target = dom_id::for_pointer(&d.pointer);
    let href = format!("#{target}");
    // "Full name: Enter full name" says it twice: the label leads only when the message does
    // not already name the field.
    let text = move || {
        let lang = ctx.lang.get();
        let message = d.message.get(lang);
        match &label {
            Some(l) if !message.to_lowercase().contains(&l.get(lang).to_lowercase()) => {
                format!("{}: {message}", l.get(lang))
            }
            _ => message.to_owned(),
        }
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let el = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|doc| doc.get_element_by_id(&target));
        if let Some(el) =
            el.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            ev.prevent_default();
            el.scroll_into_view();
            let _ = el.focus();
        }
    };
    view! { <li><a href=href on:click=on_click>{text}</a></li> }
}
