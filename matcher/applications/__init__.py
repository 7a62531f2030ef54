"""Applications: a seeker applies, the enterprise moves the application on and hires."""
