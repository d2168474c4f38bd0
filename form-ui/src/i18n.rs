//! The runtime's own strings live with the HTML renderer (`form-html`), which the portal uses
//! too: one table for the browser and the server.

pub use form_html::Ui;
