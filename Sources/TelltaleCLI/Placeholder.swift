public enum TelltaleCLIPlaceholder {}
