enum SlotsiteCGIPlaceholder {}
