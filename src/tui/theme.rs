//! Colours of the terminal UI: dark and light built in, each role overridable from `[ui.colors]`.
//! Meaning never rides on colour alone: selection has a marker, states have words or symbols.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

use crate::config::ConfigError;
use crate::config::ui::UiConfig;

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: &'static str,
    pub fg: Color,
    pub bg: Color,
    pub muted: Color,
    pub accent: Color,
    pub selected_bg: Color,
    pub selected_fg: Color,
    pub border: Color,
    pub error: Color,
    pub ok: Color,
    pub warn: Color,
}

impl Theme {
    /// Text in the terminal's own colours (readable on whatever background the terminal has), accents
    /// and the selection in colours that read on dark ones.
    pub fn dark() -> Self {
        Theme {
            name: "dark",
            fg: Color::Reset,
            bg: Color::Reset,
            muted: Color::DarkGray,
            accent: Color::Cyan,
            selected_bg: Color::Rgb(40, 52, 72),
            selected_fg: Color::White,
            border: Color::DarkGray,
            error: Color::LightRed,
            ok: Color::LightGreen,
            warn: Color::Yellow,
        }
    }

    /// Paints its own light background, so dark text reads on any terminal.
    pub fn light() -> Self {
        Theme {
            name: "light",
            fg: Color::Black,
            bg: Color::Rgb(250, 250, 248),
            muted: Color::Rgb(100, 100, 100),
            accent: Color::Blue,
            selected_bg: Color::Rgb(210, 225, 245),
            selected_fg: Color::Black,
            border: Color::Rgb(150, 150, 150),
            error: Color::Red,
            ok: Color::Green,
            warn: Color::Rgb(150, 100, 0),
        }
    }

    /// The configured theme with its colour overrides; an unknown theme, role or colour is an error naming it.
    pub fn from_config(ui: &UiConfig) -> Result<Theme, ConfigError> {
        let mut theme = match ui.theme.as_str() {
            "dark" => Theme::dark(),
            "light" => Theme::light(),
            other => return Err(ConfigError::Invalid(format!("ui.theme: '{other}' must be dark or light"))),
        };
        for (role, value) in &ui.colors {
            let color = Color::from_str(value)
                .map_err(|_| ConfigError::Invalid(format!("ui.colors.{role}: '{value}' is not a colour")))?;
            let slot = match role.as_str() {
                "fg" => &mut theme.fg,
                "bg" => &mut theme.bg,
                "muted" => &mut theme.muted,
                "accent" => &mut theme.accent,
                "selected_bg" => &mut theme.selected_bg,
                "selected_fg" => &mut theme.selected_fg,
                "border" => &mut theme.border,
                "error" => &mut theme.error,
                "ok" => &mut theme.ok,
                "warn" => &mut theme.warn,
                _ => return Err(ConfigError::Invalid(format!("ui.colors.{role}: unknown colour role"))),
            };
            *slot = color;
        }
        Ok(theme)
    }

    pub fn base(&self) -> Style {
        Style::new().fg(self.fg).bg(self.bg)
    }

    pub fn muted(&self) -> Style {
        Style::new().fg(self.muted)
    }

    pub fn title(&self) -> Style {
        Style::new().fg(self.accent).add_modifier(Modifier::BOLD)
    }

    pub fn header(&self) -> Style {
        Style::new().fg(self.accent).add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn selected(&self) -> Style {
        Style::new().fg(self.selected_fg).bg(self.selected_bg).add_modifier(Modifier::BOLD)
    }

    pub fn border(&self) -> Style {
        Style::new().fg(self.border)
    }

    pub fn focused_border(&self) -> Style {
        Style::new().fg(self.accent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_and_bad_ones_are_named() {
        let mut ui = UiConfig::default();
        ui.colors.insert("accent".into(), "#ff8800".into());
        assert_eq!(Theme::from_config(&ui).unwrap().accent, Color::Rgb(255, 136, 0));
        ui.colors.insert("accent".into(), "blurple".into());
        assert!(Theme::from_config(&ui).unwrap_err().to_string().contains("blurple"));
        let ui = UiConfig { theme: "neon".into(), ..UiConfig::default() };
        assert!(Theme::from_config(&ui).unwrap_err().to_string().contains("neon"));
    }
}
