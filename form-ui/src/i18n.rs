//! The runtime's own user-facing strings, in Vietnamese and English.

use form_core::{Lang, Text};

/// A string of the runtime's chrome (buttons, headings), by key.
#[derive(Clone, Copy, Debug)]
pub enum Ui {
    Required,
    ErrorPrefix,
    SummaryTitle,
    Submit,
    Checking,
    CheckedTitle,
    CheckedBody,
    ServerDisagrees,
    NetworkError,
    Loading,
    LoadFailed,
    FormBroken,
    DataNotObject,
    NotFound,
    AddRow,
    RemoveRow,
    MoveUp,
    MoveDown,
    Row,
    NoRows,
    ChooseOne,
    DateHint,
    MonthHint,
    YearHint,
    LanguageSwitch,
    FormsTitle,
    FormsIntro,
    SkipToForm,
    Province,
    Commune,
    Street,
    ChooseProvince,
    ChooseCommune,
    ChooseProvinceFirst,
    ChooseFile,
    RemoveFile,
    NoFile,
    FileChosen,
    DraftRestored,
    DraftResumed,
    CarriedDropped,
    CarriedRead,
    StartAgain,
    StartAgainConfirm,
    Continue,
    Back,
    Step,
    SubmitDossier,
    Sending,
    Retrying,
    Received,
    DossierCode,
    SignInToSubmit,
    SignIn,
    Uploading,
    Uploaded,
    UploadFailed,
}

impl Ui {
    pub fn text(self) -> Text {
        let (vi, en) = match self {
            Ui::Required => ("(bắt buộc)", "(required)"),
            Ui::ErrorPrefix => ("Lỗi:", "Error:"),
            Ui::SummaryTitle => ("Có thông tin cần sửa", "There is a problem"),
            Ui::Submit => ("Kiểm tra và nộp", "Check and submit"),
            Ui::Checking => ("Đang kiểm tra…", "Checking…"),
            Ui::CheckedTitle => (
                "Tờ khai đã đầy đủ và hợp lệ",
                "Your declaration is complete and valid",
            ),
            Ui::CheckedBody => (
                "Cổng dịch vụ công đã kiểm tra lại bằng cùng quy tắc và xác nhận.",
                "The portal checked it again with the same rules and agrees.",
            ),
            Ui::ServerDisagrees => (
                "Cổng dịch vụ công phát hiện thông tin cần sửa:",
                "The portal found information to correct:",
            ),
            Ui::NetworkError => (
                "Không kết nối được với cổng dịch vụ công. Thông tin bạn đã nhập vẫn được giữ; hãy thử lại.",
                "Could not reach the portal. What you entered is kept; please try again.",
            ),
            Ui::Loading => ("Đang tải biểu mẫu…", "Loading the form…"),
            Ui::LoadFailed => ("Không tải được biểu mẫu.", "The form could not be loaded."),
            Ui::FormBroken => (
                "Biểu mẫu này đang có lỗi và chưa thể sử dụng:",
                "This form has errors and cannot be used yet:",
            ),
            Ui::NotFound => ("Không tìm thấy biểu mẫu.", "Form not found."),
            Ui::DataNotObject => (
                "Dữ liệu của biểu mẫu phải là một đối tượng JSON.",
                "The form's data must be a JSON object.",
            ),
            Ui::AddRow => ("Thêm dòng", "Add a row"),
            Ui::RemoveRow => ("Xoá dòng", "Remove row"),
            Ui::MoveUp => ("Chuyển lên dòng", "Move up row"),
            Ui::MoveDown => ("Chuyển xuống dòng", "Move down row"),
            Ui::Row => ("Dòng", "Row"),
            Ui::NoRows => ("Chưa có dòng nào.", "No rows yet."),
            Ui::ChooseOne => ("— Chọn —", "— Choose —"),
            Ui::DateHint => (
                "ngày/tháng/năm, ví dụ 17/05/1990",
                "dd/mm/yyyy, for example 17/05/1990",
            ),
            Ui::MonthHint => ("tháng/năm, ví dụ 03/2020", "mm/yyyy, for example 03/2020"),
            Ui::YearHint => ("năm, ví dụ 2020", "yyyy, for example 2020"),
            Ui::LanguageSwitch => ("Ngôn ngữ", "Language"),
            Ui::FormsTitle => ("Biểu mẫu điện tử", "E-forms"),
            Ui::FormsIntro => ("Chọn biểu mẫu cần khai:", "Choose a form to fill in:"),
            Ui::SkipToForm => ("Chuyển đến biểu mẫu", "Skip to the form"),
            Ui::Province => ("Tỉnh, thành phố", "Province or city"),
            Ui::Commune => ("Xã, phường, đặc khu", "Commune, ward or special zone"),
            Ui::Street => (
                "Số nhà, đường phố, thôn, tổ dân phố",
                "House number and street, or hamlet",
            ),
            Ui::ChooseProvince => ("— Chọn tỉnh, thành phố —", "— Choose a province or city —"),
            Ui::ChooseCommune => ("— Chọn xã, phường —", "— Choose a commune or ward —"),
            Ui::ChooseProvinceFirst => (
                "Chọn tỉnh, thành phố trước.",
                "Choose the province or city first.",
            ),
            Ui::ChooseFile => ("Chọn tệp", "Choose a file"),
            Ui::RemoveFile => ("Bỏ tệp", "Remove file"),
            Ui::NoFile => ("Chưa chọn tệp nào.", "No file chosen."),
            Ui::FileChosen => ("Đã chọn:", "Chosen:"),
            Ui::DraftRestored => (
                "Thông tin bạn đã nhập trước đó (lưu lúc {}) đã được khôi phục trên trình duyệt này.",
                "What you entered before (saved at {}) has been restored in this browser.",
            ),
            Ui::DraftResumed => (
                "Bạn tiếp tục bản nháp đã lưu trên cổng lúc {} (có thể từ một thiết bị khác).",
                "You are continuing the draft saved on the portal at {} (perhaps on another device).",
            ),
            Ui::CarriedDropped => (
                "Những thông tin sau không còn chỗ trong phiên bản mới; nếu vẫn cần, hãy khai lại ở nơi phù hợp:",
                "These have no place in the new version; if still needed, enter them again where they now belong:",
            ),
            Ui::CarriedRead => ("Đã hiểu", "Understood"),
            Ui::StartAgain => ("Xoá và nhập lại từ đầu", "Clear and start again"),
            Ui::StartAgainConfirm => (
                "Xoá mọi thông tin đã nhập trong biểu mẫu này?",
                "Clear everything entered in this form?",
            ),
            Ui::Continue => ("Tiếp tục", "Continue"),
            Ui::Back => ("Quay lại", "Back"),
            Ui::Step => ("Bước {} trên {}", "Step {} of {}"),
            Ui::SubmitDossier => ("Nộp hồ sơ", "Submit the dossier"),
            Ui::Sending => ("Đang gửi hồ sơ…", "Sending the dossier…"),
            Ui::Retrying => (
                "Mạng chập chờn; đang gửi lại (lần {})… Thông tin đã nhập vẫn được giữ.",
                "The connection is unsteady; sending again (retry {})… What you entered is kept.",
            ),
            Ui::Received => ("Hồ sơ đã được tiếp nhận", "Your dossier has been received"),
            Ui::DossierCode => ("Mã hồ sơ:", "Dossier code:"),
            Ui::SignInToSubmit => (
                "Vui lòng đăng nhập để nộp hồ sơ. Thông tin bạn đã nhập được giữ trên trình duyệt này.",
                "Please sign in to submit. What you entered is kept in this browser.",
            ),
            Ui::SignIn => ("Đăng nhập", "Sign in"),
            Ui::Uploading => ("Đang tải tệp lên…", "Uploading the file…"),
            Ui::Uploaded => ("Đã tải lên.", "Uploaded."),
            Ui::UploadFailed => (
                "Chưa tải được tệp lên; hãy chọn lại tệp.",
                "The file could not be uploaded; choose it again.",
            ),
        };
        Text::new(vi, en)
    }

    pub fn get(self, lang: Lang) -> String {
        self.text().get(lang).to_owned()
    }
}
