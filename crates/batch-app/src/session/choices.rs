//! The window's remembered choices and size, kept by the session in the app's folder.

use std::sync::{MutexGuard, PoisonError};

use super::{Studio, StudioError};
use crate::ports::Connector;
use crate::settings::{Choices, Settings};

impl<C: Connector> Studio<C> {
    fn settings(&self) -> MutexGuard<'_, Settings> {
        self.settings.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The wizard's remembered choices.
    pub fn choices(&self) -> Choices {
        self.settings().choices.clone()
    }

    /// Remembers `choices` in place of the ones before (an absent choice is forgotten).
    pub fn remember_choices(&self, choices: Choices) -> Result<(), StudioError> {
        let mut settings = self.settings();
        settings.choices = choices;
        settings.save(&Settings::path_in(&self.home)).map_err(|e| StudioError::Internal(e.to_string()))
    }

    /// The window's remembered inner size, in logical pixels.
    pub fn window_size(&self) -> Option<(u32, u32)> {
        self.settings().window
    }

    /// Remembers the window's inner size.
    pub fn remember_window_size(&self, width: u32, height: u32) -> Result<(), StudioError> {
        let mut settings = self.settings();
        settings.window = Some((width, height));
        settings.save(&Settings::path_in(&self.home)).map_err(|e| StudioError::Internal(e.to_string()))
    }
}
