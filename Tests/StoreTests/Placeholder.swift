// Store tests arrive with the store.
