enum SlotsiteAuthPlaceholder {}
