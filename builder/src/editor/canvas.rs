//! The canvas: pages → sections → items and a table's columns; select an item, move it up
//! or down (past the ends of a section into the next one) or delete it, with buttons the
//! keyboard reaches.

use super::Ctx;
use crate::t;
use form_core::edit::{self, At};
use form_ui::form_view::{Json, fingerprint};
use leptos::prelude::*;
use serde_json::Value;

/// The pages, sections and items; the selected item's move and delete buttons.
#[component]
pub(super) fn Canvas(ctx: Ctx) -> impl IntoView {
    let lang = ctx.lang;
    // Each row watches whether it is the selected one: a new selection wakes two rows, not
    // every row.
    let selector = StoredValue::new(Selector::new(move || ctx.selected.get()));
    // Drag and drop: what is dragged, and the place it would land (the item it would go
    // before; a section's length for its end).
    let dragged = RwSignal::new(None::<At>);
    let target = RwSignal::new(None::<At>);
    let drop_at = StoredValue::new(Selector::new(move || target.get()));
    // Whether `place` takes what is dragged: an item goes between items (of any section), a
    // column between the columns of its own table.
    let fits = move |place: At| {
        dragged
            .get_untracked()
            .is_some_and(|from| match (from.column, place.column) {
                (None, None) => true,
                (Some(_), Some(_)) => {
                    At {
                        column: None,
                        ..from
                    } == At {
                        column: None,
                        ..place
                    }
                }
                _ => false,
            })
    };
    let over = move |ev: &leptos::ev::DragEvent, place: At| {
        if fits(place) {
            ev.prevent_default();
            if target.get_untracked() != Some(place) {
                target.set(Some(place));
            }
        }
    };
    let drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        if let (Some(from), Some(to)) = (dragged.get_untracked(), target.get_untracked()) {
            ctx.change(None, move |d| edit::move_to(d, from, to).map(Some));
        }
        dragged.set(None);
        target.set(None);
    };
    // A row's place follows the rows inserted or removed before it (rows are keyed by what
    // they show, so an insertion draws only the new row).
    let row = move |place: Signal<At>, item: &Value| {
        let at = move || place.get_untracked();
        let label = {
            let item = item.clone();
            move || {
                let l = ctx.text(&item["label"]);
                if l.is_empty() {
                    ctx.text(&item["text"])
                } else {
                    l
                }
            }
        };
        let meta = format!(
            "{} · {}",
            item["widget"].as_str().unwrap_or_default(),
            item["pointer"].as_str().unwrap_or("—")
        );
        let is = move || selector.with_value(|s| s.selected(&Some(place.get())));
        // The row's lower half means "after it".
        let next = move || {
            let at = at();
            At {
                item: at.item + usize::from(at.column.is_none()),
                column: at.column.map(|c| c + 1),
                ..at
            }
        };
        let place_of = move |ev: &leptos::ev::DragEvent| {
            use wasm_bindgen::JsCast;
            let lower = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .map(|e| e.get_bounding_client_rect())
                .is_some_and(|r| f64::from(ev.client_y()) > r.top() + r.height() / 2.0);
            if lower { next() } else { at() }
        };
        view! {
            <div class="bd-item" class:bd-item--selected=is data-testid="canvas-item" aria-current=move || if is() { "true" } else { "false" }
                draggable="true"
                class:bd-item--drop-before=move || drop_at.with_value(|s| s.selected(&Some(place.get())))
                on:dragstart=move |ev| {
                    ev.stop_propagation();
                    if let Some(dt) = ev.data_transfer() {
                        let _ = dt.set_data("text/plain", &at().pointer());
                        dt.set_effect_allowed("move");
                    }
                    dragged.set(Some(at()));
                }
                on:dragend=move |_| { dragged.set(None); target.set(None); }
                on:dragover=move |ev| over(&ev, place_of(&ev))
                on:drop=drop>
                <button type="button" class="bd-item__pick" aria-pressed=move || if is() { "true" } else { "false" }
                    on:click=move |_| ctx.selected.set(Some(at()))>
                    <span class="bd-item__label">{label}</span>
                    <span class="bd-item__meta">{meta}</span>
                </button>
                {move || is().then(|| view! {
                    <span class="bd-item__tools">
                        <button type="button" class="ef-button ef-button--secondary" data-testid="move-up"
                            on:click=move |_| { let at = at(); ctx.change(None, |d| edit::step(d, at, -1).map(Some)); refocus("[aria-current=true] [data-testid=move-up]"); }>{t(lang, "Lên", "Up")}</button>
                        <button type="button" class="ef-button ef-button--secondary" data-testid="move-down"
                            on:click=move |_| { let at = at(); ctx.change(None, |d| edit::step(d, at, 1).map(Some)); refocus("[aria-current=true] [data-testid=move-down]"); }>{t(lang, "Xuống", "Down")}</button>
                        <button type="button" class="ef-button ef-button--secondary" data-testid="delete"
                            on:click=move |_| { let at = at(); ctx.change(None, |d| edit::remove(d, at).map(|_| None)); ctx.selected.set(None); refocus("#bd-canvas-title"); }>{t(lang, "Xoá", "Delete")}</button>
                    </span>
                })}
            </div>
        }
    };
    // Keyed by what each part is drawn from: an edit draws again only the rows it changed
    // (and those after an insertion in the same section).
    let pages = move || {
        ctx.def.with(|d| {
            d["pages"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .enumerate()
                        .map(|(p, page)| {
                            (
                                fingerprint((p, Json(&page["title"]))),
                                p,
                                page["title"].clone(),
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let sections = move |p: usize| {
        ctx.def.with(|d| {
            d["pages"][p]["sections"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .enumerate()
                        .map(|(s, section)| {
                            (
                                fingerprint((p, s, Json(&section["title"]))),
                                s,
                                section["title"].clone(),
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let items = move |p: usize, s: usize| {
        ctx.def.with(|d| {
            d["pages"][p]["sections"][s]["items"]
                .as_array()
                .map(|a| {
                    // Which of identical items (two equal guidance texts) makes the key whole.
                    let mut seen = std::collections::HashMap::<u64, usize>::new();
                    a.iter()
                        .enumerate()
                        .map(|(i, item)| {
                            let key = fingerprint(Json(item));
                            let n = seen.entry(key).or_default();
                            *n += 1;
                            ((key, *n), i)
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let item_row = move |p: usize, s: usize, index: ReadSignal<usize>| {
        let i = index.get_untracked();
        let item = ctx
            .def
            .with_untracked(|d| d["pages"][p]["sections"][s]["items"][i].clone());
        let columns = item["columns"].as_array().cloned().unwrap_or_default();
        let at = Signal::derive(move || At::item(p, s, index.get()));
        view! {
            <li>
                {row(at, &item)}
                {(!columns.is_empty()).then(|| view! {
                    <ol class="bd-items bd-items--columns">
                        {columns.into_iter().enumerate().map(|(c, col)| view! {
                            <li>{row(Signal::derive(move || At { column: Some(c), ..at.get() }), &col)}</li>
                        }).collect_view()}
                    </ol>
                })}
            </li>
        }
    };
    let section_view = move |p: usize, s: usize, title: Value| {
        view! {
            <div class="bd-section">
                <h4 class="bd-section__title">{move || ctx.text(&title)}</h4>
                <ol class="bd-items">
                    <ForEnumerate each=move || items(p, s) key=|x| x.0 let(index, _x)>
                        {item_row(p, s, index)}
                    </ForEnumerate>
                    {move || {
                        // While an item is dragged: the end of the section (an empty one too).
                        let end = At::item(p, s, ctx.def.with(|d| d["pages"][p]["sections"][s]["items"].as_array().map_or(0, Vec::len)));
                        dragged.get().is_some_and(|d| d.column.is_none()).then(|| view! {
                            <li class="bd-drop-end" class:bd-item--drop-before=move || drop_at.with_value(|x| x.selected(&Some(end)))
                                data-testid="drop-end" on:dragover=move |ev| over(&ev, end) on:drop=drop>
                                {t(lang, "Thả vào cuối mục này", "Drop at the end of this section")}
                            </li>
                        })
                    }}
                </ol>
            </div>
        }
    };
    let page_view = move |p: usize, title: Value| {
        view! {
            <div class="bd-page">
                <h3 class="bd-page__title">{format!("{} {}", t(lang, "Trang", "Page")(), p + 1)}": "{move || ctx.text(&title)}</h3>
                <For each=move || sections(p) key=|x| x.0 let:x>
                    {section_view(p, x.1, x.2)}
                </For>
                <button type="button" class="ef-button ef-button--secondary" data-testid="add-section"
                    on:click=move |_| {
                        let n = ctx.def.get_untracked()["pages"][p]["sections"].as_array().map_or(0, Vec::len);
                        ctx.change(None, move |d| edit::add_section(d, p, n).map(|_| None));
                    }>{t(lang, "Thêm mục", "Add a section")}</button>
            </div>
        }
    };
    view! {
        <button type="button" class="ef-linkbutton" aria-pressed=move || if ctx.selected.get().is_none() { "true" } else { "false" }
            on:click=move |_| ctx.selected.set(None)>{t(lang, "Thuộc tính của biểu mẫu", "The form's properties")}</button>
        <For each=pages key=|x| x.0 let:x>
            {page_view(x.1, x.2)}
        </For>
        <button type="button" class="ef-button ef-button--secondary" data-testid="add-page"
            on:click=move |_| {
                let n = ctx.def.get_untracked()["pages"].as_array().map_or(0, Vec::len);
                ctx.change(None, move |d| edit::add_page(d, n).map(|_| None));
            }>{t(lang, "Thêm trang", "Add a page")}</button>
    }
}

/// Focuses the element `selector` names once the page has been drawn again (the canvas is
/// redrawn by a move: the keyboard stays where it was).
fn refocus(selector: &'static str) {
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(e) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(selector).ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = e.focus();
        }
    });
}
