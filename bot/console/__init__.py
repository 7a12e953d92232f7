"""The officers' web console under /console/: passwordless sign-in and sessions (more to come)."""
