//! The page chrome shared by the citizen app, the builder and embedded forms: the header and
//! the language switch.

use crate::i18n::Ui;
use form_core::Lang;
use leptos::prelude::*;

/// The page header shared by the citizen app and the builder: the name and the language switch.
#[component]
pub fn Header(
    /// The language signal the switch sets.
    lang: RwSignal<Lang>,
    /// More of the header (the citizen app's account menu).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <header class="ef-header">
            <div class="ef-header__inner">
                <a class="ef-brand" href="/">"eform"</a>
                {children.map(|c| c())}
                <LangSwitch lang=lang />
            </div>
        </header>
    }
}

/// Two buttons, "Tiếng Việt" and "English"; the current one is pressed.
#[component]
pub fn LangSwitch(
    /// The language signal to switch.
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let button = move |l: Lang, name: &'static str| {
        view! {
            <button type="button" class="ef-lang__button" lang=l.tag() aria-pressed=move || if lang.get() == l { "true" } else { "false" } on:click=move |_| lang.set(l)>
                {name}
            </button>
        }
    };
    view! {
        <div class="ef-lang" role="group" aria-label=move || Ui::LanguageSwitch.get(lang.get())>
            {button(Lang::Vi, "Tiếng Việt")}
            {button(Lang::En, "English")}
        </div>
    }
}
