//! The citizen page around a form, drawn by the portal and again by the runtime that takes it
//! over (so a language switch redraws the whole page in place): the skip link, the header (the
//! name, the account, the language) and the `<main>` that holds the form.

use crate::{Ui, esc};
use form_core::{Lang, Text};

/// Who is signed in, as the header names them.
pub struct Account<'a> {
    pub name: &'a str,
    /// An official: their inbox instead of the citizen's dossiers and data.
    pub official: bool,
}

/// The class of the element holding the whole page; `open` starts it, [`CLOSE`] ends it.
pub const SITE: &str = "ef-site";
/// Ends what [`open`] started (`<main>` and the page's element).
pub const CLOSE: &str = "</main></div>";
/// Marks the sign-out form: a script clears this browser's drafts of the citizen first.
pub const SIGN_OUT: &str = "data-ef-signout";
/// The portal's own data store, under which the runtime on its pages reads and keeps a citizen's
/// values (and the page asks for them early: one address on both sides).
pub const DATASTORE: &str = "/datastore/v1";
/// The portal's own drafts service (its list, and `/{form id}`), as [`DATASTORE`].
pub const DRAFTS: &str = "/api/v1/drafts";

/// Marks the page the portal draws into a Leptos app's page (the list of forms, the account
/// pages' header): the app is drawn hidden beside it and takes its place once it has a screen.
pub const DRAWN_PAGE: &str = "data-ef-drawn-page";

/// The title of the Leptos apps' pages, as the portal writes it and the app sets it when the
/// language changes.
pub fn app_title(lang: Lang) -> String {
    format!("eform — {}", Ui::FormsTitle.get(lang))
}

/// The sign-in page, coming back to `here`.
pub fn sign_in_url(here: &str, lang: Lang) -> String {
    format!(
        "/signin?lang={}&next={}",
        lang.tag(),
        crate::percent_encode(here)
    )
}

/// The page up to the start of `<main>`'s content. `here`: the page's own path (the language
/// links and the way back after signing in). `live`: a script runs the page, so the language is
/// switched by buttons in place; without one (`false`) by links that ask for the page again.
pub fn open(lang: Lang, account: Option<&Account>, here: &str, live: bool) -> String {
    let t = |u: Ui| esc(&u.get(lang));
    let tr = |vi: &str, en: &str| esc(Text::new(vi, en).get(lang));
    let mut html = format!(
        "<div class=\"{SITE}\" lang=\"{}\"><a class=\"ef-skip\" href=\"#main\">{}</a><header class=\"ef-header\"><div class=\"ef-header__inner\"><a class=\"ef-brand\" href=\"/\">eform</a><nav class=\"ef-account\" aria-label=\"{}\" data-testid=\"account\">",
        lang.tag(),
        t(Ui::SkipToMain),
        tr("Tài khoản", "Account"),
    );
    match account {
        Some(a) => {
            html.push_str(&format!(
                "<span class=\"ef-account__name\" data-testid=\"signed-in-as\">{}</span>",
                esc(a.name)
            ));
            if a.official {
                html.push_str(&format!(
                    "<a class=\"ef-account__link\" href=\"/inbox\">{}</a>",
                    tr("Hồ sơ cần xử lý", "Inbox")
                ));
            } else {
                html.push_str(&format!(
                    "<a class=\"ef-account__link\" href=\"/dossiers\">{}</a><a class=\"ef-account__link\" href=\"/data\">{}</a>",
                    tr("Hồ sơ của tôi", "My dossiers"),
                    tr("Dữ liệu của tôi", "My data")
                ));
            }
            // A form, so that signing out works without a script too.
            html.push_str(&format!(
                "<form class=\"ef-account__signout\" method=\"post\" action=\"/signout\" {SIGN_OUT}><button type=\"submit\" class=\"ef-account__link ef-linkbutton\">{}</button></form>",
                tr("Đăng xuất", "Sign out")
            ));
        }
        None => html.push_str(&format!(
            "<a class=\"ef-account__link\" href=\"{}\">{}</a>",
            esc(&sign_in_url(here, lang)),
            t(Ui::SignIn)
        )),
    }
    html.push_str(&format!(
        "</nav><div class=\"ef-lang\" role=\"group\" aria-label=\"{}\">",
        t(Ui::LanguageSwitch)
    ));
    for (l, name) in [(Lang::Vi, "Tiếng Việt"), (Lang::En, "English")] {
        if live {
            html.push_str(&format!(
                "<button type=\"button\" class=\"ef-lang__button\" lang=\"{0}\" data-ef-lang=\"{0}\" aria-pressed=\"{1}\">{name}</button>",
                l.tag(),
                l == lang
            ));
        } else {
            html.push_str(&format!(
                "<a class=\"ef-lang__button\" lang=\"{0}\" href=\"{1}?lang={0}\"{2}>{name}</a>",
                l.tag(),
                esc(here),
                if l == lang {
                    " aria-current=\"true\""
                } else {
                    ""
                }
            ));
        }
    }
    html.push_str("</div></div></header><main id=\"main\" class=\"ef-main\" tabindex=\"-1\">");
    html
}

/// The confirmation once a dossier is filed, the page's whole content: its code, what happens
/// next and, where a script runs the page (`live`), the way to the dossier's page (its full
/// receipt: printed, downloaded, looked up by QR code), which is the account pages' and needs
/// JavaScript. Drawn by the portal for a form sent without JavaScript and by the runtime in
/// place of the form, so the citizen sees it without loading the account pages. `awaiting`: the
/// dossier waits for its co-signers (intake's `status`) before it goes to the agency. No live
/// region: the runtime moves the focus to its heading, and the portal's is a new page.
pub fn receipt(lang: Lang, form_title: &str, code: &str, awaiting: bool, live: bool) -> String {
    let t = |u: Ui| esc(&u.get(lang));
    let next = match (awaiting, live) {
        (true, _) => Text::new(
            "Hồ sơ được chuyển tới cơ quan khi mọi người cùng ký đã ký. Trang hồ sơ có đường dẫn để gửi cho họ.",
            "It goes to the agency once every co-signer has signed. The dossier's page has the link to send them.",
        ),
        (false, true) => Text::new(
            "Hãy ghi lại mã hồ sơ để tra cứu. Bạn có thể xem, in hoặc tải phiếu tiếp nhận trên trang hồ sơ.",
            "Keep the dossier code to look it up. You can see, print or download the receipt on the dossier's page.",
        ),
        (false, false) => Text::new(
            "Hãy ghi lại mã hồ sơ để tra cứu.",
            "Keep the dossier code to look it up.",
        ),
    };
    let link = if live {
        format!(
            "<p><a class=\"ef-button\" data-testid=\"see-dossier\" href=\"/d/{}\">{}</a></p>",
            form_core::percent_encode(code, b""),
            esc(Text::new(
                "Xem hồ sơ và phiếu tiếp nhận",
                "See the dossier and its receipt"
            )
            .get(lang)),
        )
    } else {
        String::new()
    };
    format!(
        "<div class=\"ef-panel ef-panel--ok\" data-testid=\"received\" data-status=\"{}\"><h1 class=\"ef-title\" tabindex=\"-1\">{}</h1><p>{}</p><p>{} <strong data-testid=\"dossier-code\">{}</strong></p><p>{}</p>{link}</div>",
        if awaiting {
            "awaiting-co-signature"
        } else {
            "submitted"
        },
        t(Ui::received(awaiting)),
        esc(form_title),
        t(Ui::DossierCode),
        esc(code),
        esc(next.get(lang)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_who_is_signed_in_and_escapes_it() {
        let a = Account {
            name: "<b>Bình</b>",
            official: false,
        };
        let html = format!("{}{CLOSE}", open(Lang::En, Some(&a), "/f/ct01", true));
        assert!(html.contains("&lt;b&gt;Bình&lt;/b&gt;"), "{html}");
        assert!(html.contains("href=\"/dossiers\">My dossiers<"));
        assert!(html.contains("action=\"/signout\""));
        assert!(html.contains("data-ef-lang=\"vi\" aria-pressed=\"false\""));
        assert!(!html.contains("/inbox"));
    }

    #[test]
    fn without_a_script_the_language_is_a_link_and_sign_in_comes_back() {
        let html = open(Lang::Vi, None, "/f/ct01", false);
        assert!(html.contains("href=\"/f/ct01?lang=en\""), "{html}");
        assert!(html.contains("aria-current=\"true\">Tiếng Việt"));
        assert!(html.contains("href=\"/signin?lang=vi&amp;next=/f/ct01\">Đăng nhập<"));
        assert_eq!(
            sign_in_url("/f/a?lang=en&x=1", Lang::En),
            "/signin?lang=en&next=/f/a%3Flang%3Den%26x%3D1"
        );
    }

    #[test]
    fn the_receipt_gives_the_code_what_comes_next_and_the_way_to_the_dossier() {
        let html = receipt(
            Lang::En,
            "<Residence>",
            "000.00.18.H56-261208-0001",
            false,
            true,
        );
        assert!(html.contains("Your dossier has been received"), "{html}");
        assert!(
            html.contains("&lt;Residence&gt;"),
            "the form's title is text: {html}"
        );
        assert!(html.contains("data-testid=\"dossier-code\">000.00.18.H56-261208-0001<"));
        assert!(html.contains("href=\"/d/000.00.18.H56-261208-0001\""));
        assert!(html.contains("data-status=\"submitted\""));
        let waiting = receipt(Lang::Vi, "Đăng ký kết hôn", "X-1", true, true);
        assert!(waiting.contains("chờ người cùng ký"), "{waiting}");
        assert!(waiting.contains("data-status=\"awaiting-co-signature\""));
        // A code is the portal's, but a host's intake could send anything: it stays text.
        let odd = receipt(Lang::En, "F", "../x\"><script>x</script>", false, true);
        assert!(!odd.contains("<script>"), "{odd}");
        assert!(
            odd.contains("href=\"/d/..%2Fx%22%3E%3Cscript%3Ex%3C%2Fscript%3E\""),
            "one path segment: {odd}"
        );
        // Without a script the dossier's page (the account pages) would be blank: not offered.
        let plain = receipt(Lang::En, "F", "X-1", false, false);
        assert!(!plain.contains("href=\"/d/"), "{plain}");
        assert!(
            plain.contains("Keep the dossier code to look it up.</p>"),
            "{plain}"
        );
    }
}
