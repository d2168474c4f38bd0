//! The palette: a button per widget form-core knows, adding a field after the selected item
//! (into the table when a column is selected).

use super::{Ctx, widget_name};
use crate::t;
use form_core::edit::{self, ALL, At};
use form_core::{Lang, Widget};
use leptos::prelude::*;

/// Buttons that add a field of each widget after the selected item (or at the end of the
/// first section).
#[component]
pub(super) fn Palette(ctx: Ctx) -> impl IntoView {
    let lang = ctx.lang;
    let add = move |w: Widget| {
        let place = ctx.selected.get_untracked();
        ctx.change(None, move |d| match place {
            Some(At {
                column: Some(_), ..
            }) if w != Widget::Table && w != Widget::Static => {
                let table = At {
                    column: None,
                    ..place.expect("selected")
                };
                edit::add_column(d, table, w).map(Some)
            }
            Some(at) => edit::add_item(d, at.page, at.section, at.item + 1, w).map(Some),
            None => {
                let n = d["pages"][0]["sections"][0]["items"]
                    .as_array()
                    .map_or(0, Vec::len);
                edit::add_item(d, 0, 0, n, w).map(Some)
            }
        });
    };
    view! {
        <details class="bd-palette" open>
            <summary>{t(lang, "Thêm trường", "Add a field")}</summary>
            <ul class="bd-palette__list">
                {ALL.into_iter().map(|w| {
                    let (vi, en) = widget_name(w);
                    view! { <li><button type="button" class="ef-button ef-button--secondary bd-palette__button" data-widget=w.name()
                        on:click=move |_| add(w)>{move || if lang.get() == Lang::Vi { vi } else { en }}</button></li> }
                }).collect_view()}
            </ul>
            <p class="ef-hint">{t(lang, "Trường mới được thêm sau trường đang chọn (vào bảng nếu đang chọn một cột).", "A new field goes after the selected one (into the table when a column is selected).")}</p>
        </details>
    }
}
