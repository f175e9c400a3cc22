//! Colours and glyphs. `NO_COLOR` / `--no-color` keep only bold, reverse and underline; `--ascii`
//! draws with plain ASCII. A profile's colour (config `profiles.<name>.color`) paints the frame.

use opsdeck_app::state::StatusLevel;
use opsdeck_app::xray::Level;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;
use std::borrow::Cow;

const ASCII_BORDER: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

#[derive(Debug, Clone)]
pub struct Theme {
    pub color: bool,
    pub ascii: bool,
    /// The profile's frame colour.
    pub frame: Option<Color>,
}

pub fn parse_color(name: &str) -> Option<Color> {
    name.trim().parse::<Color>().ok()
}

impl Theme {
    pub fn new(color: bool, ascii: bool) -> Theme {
        Theme {
            color,
            ascii,
            frame: None,
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn border_set(&self) -> border::Set<'static> {
        if self.ascii {
            ASCII_BORDER
        } else {
            border::PLAIN
        }
    }

    pub fn frame(&self) -> Style {
        match self.frame {
            Some(c) if self.color => Style::new().fg(c).add_modifier(Modifier::BOLD),
            Some(_) => Style::new().add_modifier(Modifier::BOLD),
            None => self.fg(Color::Cyan),
        }
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn header(&self) -> Style {
        if self.color {
            Style::new().fg(Color::White).bg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn badge(&self, c: Color) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(c)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        }
    }

    pub fn column_header(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn matched(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
        }
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn good(&self) -> Style {
        self.fg(Color::Green)
    }
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn bad(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn level(&self, l: Level) -> Style {
        match l {
            Level::Plain => Style::new(),
            Level::Heading => self.title(),
            Level::Good => self.good(),
            Level::Warn => self.warn(),
            Level::Bad => self.bad(),
        }
    }

    pub fn status(&self, l: StatusLevel) -> Style {
        match l {
            StatusLevel::Info => self.fg(Color::Cyan),
            StatusLevel::Ok => self.good(),
            StatusLevel::Warn => self.warn(),
            StatusLevel::Error => self.bad(),
        }
    }

    pub fn banner(&self, bad: bool) -> Style {
        if !self.color {
            return Style::new().add_modifier(Modifier::BOLD);
        }
        if bad {
            Style::new().fg(Color::White).bg(Color::Red)
        } else {
            Style::new().fg(Color::Black).bg(Color::Yellow)
        }
    }

    /// The style a table cell gets from its value (states, health, checks).
    pub fn value(&self, title: &str, text: &str) -> Style {
        if !self.color {
            return match text {
                "impaired" | "unhealthy" | "ALARM" | "error" | "failed" | "critical" => {
                    Style::new().add_modifier(Modifier::BOLD)
                }
                _ => Style::new(),
            };
        }
        match text {
            "running" | "healthy" | "ok" | "available" | "completed" | "in-use" | "active"
            | "attached" | "OK" | "in-use " => self.good(),
            "stopped" | "unhealthy" | "impaired" | "ALARM" | "error" | "failed" | "unavailable"
            | "unhealthy.draining" | "deregistered" => self.bad(),
            "pending" | "stopping" | "draining" | "initial" | "creating" | "shutting-down"
            | "INSUFFICIENT_DATA" | "unused" | "provisioning" | "detaching" | "attaching" => {
                self.warn()
            }
            "terminated" | "deleted" | "-" => self.dim(),
            t if t.starts_with("sys:") => self.bad(),
            t if t.starts_with("overdue") => self.bad(),
            t if title == "EVENT" && !t.is_empty() => self.warn(),
            "critical" if title == "SEVERITY" => self.bad(),
            "warning" if title == "SEVERITY" => self.warn(),
            t if title == "CPU" && !t.is_empty() => self.fg(Color::Cyan),
            _ => Style::new(),
        }
    }

    /// Text as this terminal can show it.
    pub fn text<'a>(&self, s: &'a str) -> Cow<'a, str> {
        if self.ascii {
            opsdeck_app::format::to_ascii(s)
        } else {
            Cow::Borrowed(s)
        }
    }

    pub fn sep(&self) -> &'static str {
        if self.ascii { " | " } else { " │ " }
    }

    pub fn ellipsis(&self) -> &'static str {
        if self.ascii { "~" } else { "…" }
    }
}
