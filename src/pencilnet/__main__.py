from pencilnet.cli.app import main

main()
