"""Staff sign-in fit for patient data: throttled failures and a second factor."""
