"""Registration: applications, the review lifecycle and its timeline, temporary registrations,
rejections and fines, audit events."""
