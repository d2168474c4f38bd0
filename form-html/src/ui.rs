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
    SkipToMain,
    Province,
    Commune,
    Street,
    ChooseProvince,
    ChooseCommune,
    ChooseProvinceFirst,
    CommunesLoading,
    CommunesFailed,
    Country,
    ChooseCountry,
    AddressAbroad,
    ChooseFile,
    RemoveFile,
    NoFile,
    FileChosen,
    DraftRestored,
    DraftResumed,
    DraftCarried,
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
    ReceivedAwaiting,
    DossierCode,
    SignInToSubmit,
    SignIn,
    Uploading,
    Uploaded,
    UploadFailed,
    ReportMistake,
    ReportHint,
    ReportWhat,
    ReportSend,
    ReportSent,
    StoreDown,
    ReplacedByRegister,
    KeepTitle,
    KeepBody,
    KeepAgree,
    KeepDecline,
    KeepDone,
    KeepNone,
    SignTitle,
    SignGetting,
    SignIntro,
    Signer,
    IssuedBy,
    Valid,
    SignWaiting,
    DevSigner,
    TryAgain,
    SignAndSend,
    BackToForm,
}

impl Ui {
    /// The heading of a filed dossier's confirmation: received, or (`awaiting`) stored until its
    /// co-signers have signed.
    pub fn received(awaiting: bool) -> Ui {
        if awaiting {
            Ui::ReceivedAwaiting
        } else {
            Ui::Received
        }
    }

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
            Ui::SkipToMain => ("Chuyển đến nội dung chính", "Skip to main content"),
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
            Ui::CommunesLoading => (
                "Đang tải danh sách xã, phường…",
                "Loading the communes and wards…",
            ),
            Ui::CommunesFailed => (
                "Không tải được danh sách xã, phường. Những gì bạn đã nhập vẫn được giữ.",
                "The communes and wards could not be loaded. What you entered is kept.",
            ),
            Ui::Country => ("Quốc gia", "Country"),
            Ui::ChooseCountry => ("— Chọn quốc gia —", "— Choose a country —"),
            Ui::AddressAbroad => ("Địa chỉ", "Address"),
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
            Ui::ReceivedAwaiting => (
                "Hồ sơ đã được lưu, chờ người cùng ký",
                "Your dossier is stored and waits for its co-signers",
            ),
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
            Ui::ReportMistake => ("Báo sai sót", "Report a mistake"),
            Ui::ReportHint => (
                "Giá trị đã xác thực chỉ được sửa tại cơ sở dữ liệu gốc (với thông tin cư trú: Công an cấp xã). Hãy cho biết điều gì sai; báo cáo được chuyển tới cơ quan quản lý dữ liệu. Bạn vẫn có thể nộp biểu mẫu này.",
                "A verified value can only be corrected in its register (for residence data: the commune police). Say what is wrong; your report goes to the register's keeper. You can still send this form.",
            ),
            Ui::ReportWhat => ("Điều gì sai?", "What is wrong?"),
            Ui::ReportSend => ("Gửi báo cáo", "Send the report"),
            Ui::ReportSent => (
                "Đã gửi báo cáo. Cơ quan quản lý dữ liệu sẽ kiểm tra; bạn có thể xem trong nhật ký dữ liệu của mình.",
                "Report sent. The register's keeper will check it; it shows in your data log.",
            ),
            Ui::StoreDown => (
                "Chưa lấy được thông tin của bạn từ kho dữ liệu; bạn vẫn có thể tự điền biểu mẫu.",
                "Your information could not be fetched from the data store; you can still fill in the form yourself.",
            ),
            Ui::ReplacedByRegister => (
                "Một số giá trị bạn đã nhập được thay bằng giá trị đã xác thực từ cơ sở dữ liệu quốc gia: {}.",
                "Some values you typed were replaced by the verified values from the national register: {}.",
            ),
            Ui::DraftCarried => (
                "Bản nháp của bạn được lập theo phiên bản {} của biểu mẫu; cơ quan đã ban hành phiên bản mới nên thông tin đã được chuyển sang.",
                "Your draft was made on version {} of this form; the agency has published a new version, and what you entered has been moved to it.",
            ),
            Ui::KeepTitle => ("Lưu lại cho lần sau?", "Keep these for next time?"),
            Ui::KeepBody => (
                "Nếu bạn đồng ý, cổng lưu các thông tin sau vào kho dữ liệu cá nhân của bạn và tự điền vào những biểu mẫu sau cần đến chúng. Mỗi lần dùng đều ghi vào nhật ký dữ liệu của bạn.",
                "If you agree, the portal keeps the following in your personal data store and fills them in on later forms that ask for them. Every use shows in your data log.",
            ),
            Ui::KeepAgree => ("Đồng ý lưu", "Agree"),
            Ui::KeepDecline => ("Để sau", "Not now"),
            Ui::KeepDone => (
                "Đã lưu. Lần sau, các biểu mẫu cần đến sẽ được điền sẵn.",
                "Kept. Next time, forms that ask for them are filled in.",
            ),
            Ui::KeepNone => ("Không lưu gì thêm.", "Nothing was kept."),
            Ui::SignTitle => ("Ký số hồ sơ", "Sign the dossier"),
            Ui::SignGetting => (
                "Đang lấy chứng thư số của bạn…",
                "Getting your certificate…",
            ),
            Ui::SignIntro => (
                "Hồ sơ sẽ được ký bằng chứng thư số sau; bạn phê duyệt trên ứng dụng ký số của mình.",
                "The dossier will be signed with this certificate; you approve in your signing app.",
            ),
            Ui::Signer => ("Người ký", "Signer"),
            Ui::IssuedBy => ("Tổ chức cấp", "Issued by"),
            Ui::Valid => ("Hiệu lực", "Valid"),
            Ui::SignWaiting => (
                "Đang chờ bạn phê duyệt yêu cầu ký trên ứng dụng ký số (điện thoại)…",
                "Waiting for you to approve the signing request in your signing app (phone)…",
            ),
            Ui::DevSigner => (
                "Mở trình ký thử nghiệm (chế độ phát triển)",
                "Open the development signer (development mode)",
            ),
            Ui::TryAgain => ("Thử lại", "Try again"),
            Ui::SignAndSend => ("Ký số và nộp", "Sign and send"),
            Ui::BackToForm => ("Quay lại biểu mẫu", "Back to the form"),
        };
        Text::new(vi, en)
    }

    pub fn get(self, lang: Lang) -> String {
        self.text().get(lang).to_owned()
    }
}
