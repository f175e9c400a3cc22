//! What the operator wants, independent of which key said it, and how help groups it.

/// What the operator wants, independent of which key said it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Left,
    Right,
    Command,
    Filter,
    Help,
    Enter,
    Describe,
    Xray,
    AzMap,
    Runbook,
    SortNext,
    SortReverse,
    Refresh,
    CopyId,
    ExportCsv,
    ExportJson,
    Start,
    Stop,
    Reboot,
    CreateSnapshot,
    CreateImage,
    Register,
    Deregister,
    Detach,
}

/// How help groups the actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    General,
    Move,
    View,
    Mutate,
}

impl Action {
    pub const ALL: [Action; 32] = [
        Action::Quit,
        Action::Back,
        Action::Command,
        Action::Filter,
        Action::Help,
        Action::Refresh,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Left,
        Action::Right,
        Action::Enter,
        Action::Describe,
        Action::Xray,
        Action::AzMap,
        Action::Runbook,
        Action::SortNext,
        Action::SortReverse,
        Action::CopyId,
        Action::ExportCsv,
        Action::ExportJson,
        Action::Start,
        Action::Stop,
        Action::Reboot,
        Action::CreateSnapshot,
        Action::CreateImage,
        Action::Register,
        Action::Deregister,
        Action::Detach,
    ];

    /// The name used in `assets/keymap.toml` and the config's `[keys]`.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Back => "back",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Left => "left",
            Action::Right => "right",
            Action::Command => "command",
            Action::Filter => "filter",
            Action::Help => "help",
            Action::Enter => "enter",
            Action::Describe => "describe",
            Action::Xray => "xray",
            Action::AzMap => "az_map",
            Action::Runbook => "runbook",
            Action::SortNext => "sort_next",
            Action::SortReverse => "sort_reverse",
            Action::Refresh => "refresh",
            Action::CopyId => "copy_id",
            Action::ExportCsv => "export_csv",
            Action::ExportJson => "export_json",
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Reboot => "reboot",
            Action::CreateSnapshot => "create_snapshot",
            Action::CreateImage => "create_image",
            Action::Register => "register",
            Action::Deregister => "deregister",
            Action::Detach => "detach",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    pub fn group(self) -> Group {
        match self {
            Action::Quit
            | Action::Back
            | Action::Command
            | Action::Filter
            | Action::Help
            | Action::Refresh => Group::General,
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
            | Action::Left
            | Action::Right => Group::Move,
            Action::Start
            | Action::Stop
            | Action::Reboot
            | Action::CreateSnapshot
            | Action::CreateImage
            | Action::Register
            | Action::Deregister
            | Action::Detach => Group::Mutate,
            _ => Group::View,
        }
    }

    pub fn mutates(self) -> bool {
        self.group() == Group::Mutate
    }
}
