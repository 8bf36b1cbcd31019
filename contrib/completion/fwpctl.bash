# bash completion for fwpctl(8)                         -*- shell-script -*-
#
# Options, objects, commands, and the ids and keys that exist (asked of the
# same engine, -s included): SA contexts after "sa show|delete|expire|
# counters", filters after "filter show|delete", keys after "provider|
# sublayer delete", provider contexts after "provider-context delete",
# layer and callout ids after "layer|callout show".
# Installed as /usr/share/bash-completion/completions/fwpctl; works
# without the bash-completion package too.

# The SA context ids of the engine at socket $1 (empty: the default).
_fwpctl_ids()
{
	local -a cmd=(fwpctl)

	[[ -n $1 ]] && cmd+=(-s "$1")
	"${cmd[@]}" sa list 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1 }' | sort -un
}

# The first column of "fwpctl OBJECT list" at socket $2: ids or keys.
_fwpctl_column()
{
	local -a cmd=(fwpctl)

	[[ -n $2 ]] && cmd+=(-s "$2")
	"${cmd[@]}" "$1" list 2>/dev/null | awk 'NR > 1 { print $1 }'
}

_fwpctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local objects="sa session stats monitor netevent filter provider sublayer provider-context datapath layer callout sd help"
	local options="-j --json -p --pretty -s --socket -t --timeout -V --version -h --help"
	local object= command= socket= word i

	COMPREPLY=()
	# Options come first, then OBJECT, then COMMAND and its arguments.
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		if [[ -z $object ]]; then
			case $word in
			-s | --socket)
				((i++))
				socket=${COMP_WORDS[i]}
				;;
			-t | --timeout) ((i++)) ;;
			-*) ;;
			*) object=$word ;;
			esac
		elif [[ -z $command ]]; then
			command=$word
		fi
	done

	if [[ -z $object ]]; then
		case $prev in
		-s | --socket)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
			;;
		-t | --timeout) return ;;
		esac
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$objects" -- "$cur")
		fi
		return
	fi

	case $object in
	sa)
		if [[ -z $command ]]; then
			mapfile -t COMPREPLY < <(compgen -W "list show delete expire counters flush help" -- "$cur")
		elif [[ $command == list ]]; then
			case $prev in
			spi | peer | --watch | --count) ;;
			*) mapfile -t COMPREPLY < <(compgen -W "spi peer -s --stats --watch --count" -- "$cur") ;;
			esac
		elif [[ $prev == "$command" ]] &&
			[[ $command == show || $command == delete || $command == expire ||
				$command == counters ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_fwpctl_ids "$socket")" -- "$cur")
		fi
		;;
	filter)
		if [[ -z $command ]]; then
			mapfile -t COMPREPLY < <(compgen -W "list show delete help" -- "$cur")
		elif [[ $prev == "$command" ]] && [[ $command == show || $command == delete ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_fwpctl_column filter "$socket")" -- "$cur")
		fi
		;;
	netevent)
		if [[ -z $command ]]; then
			mapfile -t COMPREPLY < <(compgen -W "list collect help" -- "$cur")
		elif [[ $prev == collect && $command == collect ]]; then
			mapfile -t COMPREPLY < <(compgen -W "on off" -- "$cur")
		fi
		;;
	provider | sublayer | provider-context)
		if [[ -z $command ]]; then
			mapfile -t COMPREPLY < <(compgen -W "list delete help" -- "$cur")
		elif [[ $prev == delete && $command == delete ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_fwpctl_column "$object" "$socket")" -- "$cur")
		fi
		;;
	layer | callout)
		if [[ -z $command ]]; then
			mapfile -t COMPREPLY < <(compgen -W "list show help" -- "$cur")
		elif [[ $prev == show && $command == show ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_fwpctl_column "$object" "$socket")" -- "$cur")
		fi
		;;
	sd)
		if [[ -z $command ]]; then
			mapfile -t COMPREPLY < <(compgen -W "show set help" -- "$cur")
		elif [[ $prev == "$command" ]]; then
			mapfile -t COMPREPLY < <(compgen -W "engine sadb provider sublayer filter provider-context" -- "$cur")
		elif [[ $prev == provider || $prev == sublayer || $prev == filter || $prev == provider-context ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_fwpctl_column "$prev" "$socket")" -- "$cur")
		fi
		;;
	session)
		[[ -z $command ]] &&
			mapfile -t COMPREPLY < <(compgen -W "list help" -- "$cur")
		;;
	datapath)
		if [[ -z $command ]]; then
			mapfile -t COMPREPLY < <(compgen -W "clear help" -- "$cur")
		elif [[ $prev != --tun && $prev != --lock-dir ]]; then
			mapfile -t COMPREPLY < <(compgen -W "--tun --lock-dir" -- "$cur")
		fi
		;;
	stats)
		[[ -z $command ]] &&
			mapfile -t COMPREPLY < <(compgen -W "help" -- "$cur")
		;;
	monitor)
		case $prev in
		--count | -c) ;;
		*)
			if [[ " ${COMP_WORDS[*]} " == *" --count "* ]]; then
				:
			elif [[ $command == net ]]; then
				mapfile -t COMPREPLY < <(compgen -W "--count" -- "$cur")
			else
				mapfile -t COMPREPLY < <(compgen -W "--count help net" -- "$cur")
			fi
			;;
		esac
		;;
	help)
		[[ -z $command ]] &&
			mapfile -t COMPREPLY < <(compgen -W "${objects% help}" -- "$cur")
		;;
	esac
}

complete -F _fwpctl fwpctl
