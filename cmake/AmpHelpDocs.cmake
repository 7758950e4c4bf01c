# Man pages and bash completion for ampsim, generated at build time from the command's own
# --help (one source of truth: a new command or option appears in both on the next build).
#   cmake -DAMPSIM=path/to/ampsim -DOUT=dir -DVERSION=x.y.z -P AmpHelpDocs.cmake
# writes OUT/man1/ampsim.1, OUT/man1/ampsim-<command>.1 and OUT/bash-completion/ampsim.
# The commands are those `ampsim --help` lists under "Commands:", each described by
# `ampsim <command> --help`.

function(help_of out)
  execute_process(COMMAND ${AMPSIM} ${ARGN} --help OUTPUT_VARIABLE text RESULT_VARIABLE rc
    ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ampsim ${ARGN} --help failed (${rc}): ${err}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The help text as lines (CMake list), with list-special characters neutralised.
function(help_lines text out)
  string(REPLACE ";" "<sc>" text "${text}")
  string(REPLACE "[" "<lb>" text "${text}")
  string(REPLACE "]" "<rb>" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(${out} "${lines}" PARENT_SCOPE)
endfunction()

function(unescape var)
  set(s "${${var}}")
  string(REPLACE "<sc>" ";" s "${s}")
  string(REPLACE "<lb>" "[" s "${s}")
  string(REPLACE "<rb>" "]" s "${s}")
  set(${var} "${s}" PARENT_SCOPE)
endfunction()

# roff-escape one line of text.
function(roff var)
  set(s "${${var}}")
  string(REPLACE "\\" "\\e" s "${s}")
  string(REPLACE "-" "\\-" s "${s}")
  string(REGEX REPLACE "^([.'])" "\\\\&\\1" s "${s}")
  unescape(s)
  set(${var} "${s}" PARENT_SCOPE)
endfunction()

# The "  name   what" entries of the "Commands:" section of @text: names in @names, and
# "name<tab>what" pairs in @pairs.
function(commands_of text names pairs)
  help_lines("${text}" lines)
  set(in 0)
  set(n "")
  set(p "")
  foreach(l IN LISTS lines)
    if(l MATCHES "^Commands:")
      set(in 1)
    elseif(in AND l MATCHES "^  ([a-z][a-z0-9-]*) +(.*)$")
      list(APPEND n ${CMAKE_MATCH_1})
      list(APPEND p "${CMAKE_MATCH_1}\t${CMAKE_MATCH_2}")
    elseif(in AND NOT l MATCHES "^ ")
      set(in 0)
    endif()
  endforeach()
  set(${names} "${n}" PARENT_SCOPE)
  set(${pairs} "${p}" PARENT_SCOPE)
endfunction()

# Every long option (--name) of @text.
function(options_of text out)
  string(REGEX MATCHALL "(^|[ \n])--[a-z][a-z0-9-]*" opts "${text}")
  set(o "")
  foreach(x IN LISTS opts)
    string(STRIP "${x}" x)
    list(APPEND o ${x})
  endforeach()
  list(REMOVE_DUPLICATES o)
  set(${out} "${o}" PARENT_SCOPE)
endfunction()

# One man page from a --help text: "Usage:" becomes SYNOPSIS, the text after it
# DESCRIPTION, headings ("Commands:", "Application Options:") sections, option lines .TP
# entries; indented blocks are kept as they are (.nf).
function(write_man file title name what text)
  string(TOUPPER "${title}" upper)
  set(m ".TH ${upper} 1 \"\" \"ampsim ${VERSION}\" \"ampsim manual\"\n.SH NAME\n${name} \\- ${what}\n")
  help_lines("${text}" lines)
  set(mode "")      # synopsis | nf | text
  set(need_desc 0)  # the next text line opens DESCRIPTION
  foreach(l IN LISTS lines)
    if(l MATCHES "^Usage:(.*)$")
      string(APPEND m ".SH SYNOPSIS\n.nf\n")
      set(rest "${CMAKE_MATCH_1}")
      string(STRIP "${rest}" rest)
      if(rest)
        roff(rest)
        string(APPEND m "${rest}\n")
      endif()
      set(mode synopsis)
      continue()
    endif()
    if(mode STREQUAL "synopsis" AND NOT l STREQUAL "")
      string(STRIP "${l}" l)
      roff(l)
      string(APPEND m "${l}\n")
      continue()
    endif()
    # Leaving a no-fill block: a blank line, a heading, an option, or unindented text.
    if(mode STREQUAL "synopsis" OR (mode STREQUAL "nf" AND NOT l MATCHES "^   *[^ -]"))
      string(APPEND m ".fi\n")
      if(mode STREQUAL "synopsis")
        set(need_desc 1)
      endif()
      set(mode "")
    endif()
    if(l MATCHES "^  (-.*[^ ])  +(.*)$")
      set(o "${CMAKE_MATCH_1}")
      set(d "${CMAKE_MATCH_2}")
      roff(o)
      roff(d)
      string(APPEND m ".TP\n.B ${o}\n${d}\n")
    elseif(l MATCHES "^([A-Z][A-Za-z ]*):$")
      string(TOUPPER "${CMAKE_MATCH_1}" h)
      string(APPEND m ".SH ${h}\n")
      set(need_desc 0)
    elseif(l STREQUAL "")
      if(NOT m MATCHES "(\\.PP|\\.SH [A-Z ]+|\\.fi)\n$")
        string(APPEND m ".PP\n")
      endif()
    else()
      if(need_desc)
        string(APPEND m ".SH DESCRIPTION\n")
        set(need_desc 0)
      endif()
      if(l MATCHES "^ " AND NOT mode STREQUAL "nf")
        string(APPEND m ".nf\n")
        set(mode nf)
      endif()
      roff(l)
      string(APPEND m "${l}\n")
    endif()
  endforeach()
  if(mode STREQUAL "synopsis" OR mode STREQUAL "nf")
    string(APPEND m ".fi\n")
  endif()
  string(APPEND m ".SH SEE ALSO\n${see}\n")
  file(WRITE ${file} "${m}")
endfunction()

help_of(top)
commands_of("${top}" cmds pairs)
if(NOT cmds)
  message(FATAL_ERROR "ampsim --help lists no commands")
endif()
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT}/man1 ${OUT}/bash-completion)

set(see "")
foreach(c IN LISTS cmds)
  string(APPEND see ".BR ampsim\\-${c} (1)\n")
endforeach()
write_man(${OUT}/man1/ampsim.1 ampsim ampsim "simulate the RPMsg IPC of an STM32MP1 on a PC"
  "${top}")

set(cases "")
foreach(pair IN LISTS pairs)
  string(REPLACE "\t" ";" pair "${pair}")
  list(GET pair 0 c)
  list(GET pair 1 what)
  roff(what)
  help_of(text ${c})
  set(see ".BR ampsim (1)")
  write_man(${OUT}/man1/ampsim-${c}.1 ampsim-${c} "ampsim\\-${c}" "${what}" "${text}")
  options_of("${text}" opts)
  commands_of("${text}" words ignored) # a command's own verbs (ctl: status, start, ...)
  list(JOIN opts " " opts)
  list(JOIN words " " words)
  string(APPEND cases "    ${c}) opts=\"${opts}\" words=\"${words}\" ;;\n")
endforeach()

list(JOIN cmds " " cmdwords)
file(WRITE ${OUT}/bash-completion/ampsim "# bash completion for ampsim ${VERSION}, generated from its --help
_ampsim() {
  local cur=\${COMP_WORDS[COMP_CWORD]} opts='' words=''
  if [ \"\$COMP_CWORD\" -eq 1 ]; then
    COMPREPLY=(\$(compgen -W '${cmdwords} --help --version' -- \"\$cur\"))
    return
  fi
  case \${COMP_WORDS[1]} in
${cases}  esac
  if [[ \$cur == -* ]]; then
    COMPREPLY=(\$(compgen -W \"\$opts\" -- \"\$cur\"))
  else
    COMPREPLY=(\$(compgen -W \"\$words\" -- \"\$cur\") \$(compgen -f -- \"\$cur\"))
  fi
}
complete -o filenames -F _ampsim ampsim
")
