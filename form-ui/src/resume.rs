//! "Continue where you left off": the signed-in citizen's drafts kept on the portal, listed on
//! the home page and the citizen's dossier list (resuming on another device).

use crate::drafts::day_of;
use crate::fetch;
use crate::i18n::time_text;
use crate::session::tr;
use form_core::Lang;
use leptos::prelude::*;

/// "Continue where you left off": the signed-in citizen's drafts on the portal (nothing when
/// none, or when the portal keeps no drafts).
#[component]
pub fn ResumeDrafts(lang: RwSignal<Lang>) -> impl IntoView {
    let list = RwSignal::new(Vec::<serde_json::Value>::new());
    leptos::task::spawn_local(async move {
        if let Ok(a) = fetch::request("/api/v1/drafts", None).await
            && a.status == 200
            && let Ok(serde_json::Value::Array(rows)) = serde_json::from_str(&a.body)
        {
            list.set(rows);
        }
    });
    move || {
        let rows = list.get();
        (!rows.is_empty()).then(|| view! {
            <section class="ef-panel" aria-labelledby="ef-resume-title" data-testid="resume-drafts">
                <h2 id="ef-resume-title" class="ef-section__title">{tr(lang, "Tiếp tục khai", "Continue where you left off")}</h2>
                <ul class="ef-plain-list">
                    {rows.into_iter().map(|d| {
                        let id = d["formId"].as_str().unwrap_or_default().to_owned();
                        let title = form_core::Text::new(
                            d["formTitle"]["vi"].as_str().unwrap_or(&id),
                            d["formTitle"]["en"].as_str().unwrap_or(&id),
                        );
                        let saved = time_text(d["savedAt"].as_str().unwrap_or_default());
                        let kept = day_of(d["expiresAt"].as_str().unwrap_or_default());
                        view! {
                            <li class="ef-party">
                                <a href=format!("/f/{id}")>{move || title.get(lang.get()).to_owned()}</a>
                                <br/><span class="ef-muted">{tr(lang, "Lưu lúc", "Saved")}" "{saved}"; "{tr(lang, "giữ đến", "kept until")}" "{kept}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })
    }
}
