from guardiangen.cli import main

main()
