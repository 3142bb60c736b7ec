enum SlotsiteSitePlaceholder {}
