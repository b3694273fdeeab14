from chrono_cli.app import main

main()
