from consentry.migrations import main

main()
