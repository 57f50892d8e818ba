// Gatehouse tests arrive with the app.
